/** Reading Graph JSON bodies into the core's shapes, defensively (bodies are untrusted input). */
import type { DriveItem, SessionStatus } from "../core/ports/graph.js";

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function toDriveItem(body: unknown): DriveItem {
  if (!isRecord(body) || typeof body.id !== "string") {
    throw new TypeError("the response is not a driveItem (no id)");
  }
  const size = typeof body.size === "number" ? body.size : Number.NaN;
  const file = isRecord(body.file) ? body.file : undefined;
  const hashes = file && isRecord(file.hashes) ? file.hashes : undefined;
  const quickXorHash = hashes && typeof hashes.quickXorHash === "string" ? hashes.quickXorHash : undefined;
  return {
    id: body.id,
    size,
    ...(typeof body.name === "string" ? { name: body.name } : {}),
    ...(typeof body.webUrl === "string" ? { webUrl: body.webUrl } : {}),
    ...(typeof body.eTag === "string" ? { eTag: body.eTag } : {}),
    ...(typeof body.cTag === "string" ? { cTag: body.cTag } : {}),
    ...(quickXorHash ? { quickXorHash } : {}),
    ...optionalTime("modifiedAt", body.lastModifiedDateTime),
  };
}

function optionalTime(key: "modifiedAt", value: unknown): { modifiedAt?: number } {
  const ms = parseTime(value);
  return ms === undefined ? {} : { [key]: ms };
}

/**
 * A session status (or a fragment's 202). `nextExpectedRanges` must be there: an empty list means "every byte
 * is in", so a body without the field (a gateway's HTML page with a 2xx, a truncated answer) must not be read
 * as one. Throws TypeError for such a body.
 */
export function toSessionStatus(body: unknown): SessionStatus {
  const ranges = isRecord(body) ? body.nextExpectedRanges : undefined;
  if (!Array.isArray(ranges)) throw new TypeError("the response has no nextExpectedRanges");
  const expiresAt = isRecord(body) ? parseTime(body.expirationDateTime) : undefined;
  return {
    nextExpectedRanges: ranges.filter((r): r is string => typeof r === "string"),
    ...(expiresAt !== undefined ? { expiresAt } : {}),
  };
}

export function parseTime(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
