/**
 * Readers for the few body shapes the facts look at. They throw messages naming the missing field, never the
 * body itself: an upload session's body holds its upload URL, which is a credential.
 */
import type { WireAnswer } from "./wire.js";

export interface ItemFacts {
  readonly id: string;
  readonly name: string;
  readonly size: number;
  readonly eTag: string;
  readonly cTag: string;
  /** Undefined when the service shows no quickXorHash (allowed for 0-byte files: docs/graph-protocol.md "Hashes"). */
  readonly quickXorHash: string | undefined;
  readonly lastModifiedByClient: string | undefined;
}

export interface SessionFacts {
  readonly uploadUrl: string;
  readonly expirationDateTime: string;
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`${what}: expected a JSON object`);
  }
  return value as Record<string, unknown>;
}

function string(body: Record<string, unknown>, field: string, what: string): string {
  const value = body[field];
  if (typeof value !== "string") throw new Error(`${what}: "${field}" is missing or not a string`);
  return value;
}

export function itemOf(answer: WireAnswer, what = "driveItem"): ItemFacts {
  const body = record(answer.body, what);
  const size = body.size;
  if (typeof size !== "number") throw new Error(`${what}: "size" is missing`);
  const file =
    typeof body.file === "object" && body.file !== null ? (body.file as Record<string, unknown>) : {};
  const hashes =
    typeof file.hashes === "object" && file.hashes !== null ? (file.hashes as Record<string, unknown>) : {};
  const fsi =
    typeof body.fileSystemInfo === "object" && body.fileSystemInfo !== null
      ? (body.fileSystemInfo as Record<string, unknown>)
      : {};
  return {
    id: string(body, "id", what),
    name: string(body, "name", what),
    size,
    eTag: string(body, "eTag", what),
    cTag: string(body, "cTag", what),
    quickXorHash: typeof hashes.quickXorHash === "string" ? hashes.quickXorHash : undefined,
    lastModifiedByClient: typeof fsi.lastModifiedDateTime === "string" ? fsi.lastModifiedDateTime : undefined,
  };
}

export function sessionOf(answer: WireAnswer): SessionFacts {
  const body = record(answer.body, "upload session");
  return {
    uploadUrl: string(body, "uploadUrl", "upload session"),
    expirationDateTime: string(body, "expirationDateTime", "upload session"),
  };
}

export function rangesOf(answer: WireAnswer, what = "upload status"): string[] {
  const ranges = record(answer.body, what).nextExpectedRanges;
  if (!Array.isArray(ranges) || !ranges.every((r) => typeof r === "string")) {
    throw new Error(`${what}: "nextExpectedRanges" is missing or not a list of strings`);
  }
  return ranges;
}

/** The outer Graph error code (`nameAlreadyExists`, `invalidRange`, ...), or undefined. */
export function errorCodeOf(answer: WireAnswer): string | undefined {
  if (typeof answer.body !== "object" || answer.body === null) return undefined;
  const error = (answer.body as Record<string, unknown>).error;
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as Record<string, unknown>).code;
  return typeof code === "string" ? code : undefined;
}
