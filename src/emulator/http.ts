/** What handlers return, and how request bodies are read: streamed, bounded, counted for the request log. */
import type { IncomingMessage } from "node:http";
import type { z } from "zod";
import { errors } from "./errors.js";

export type Reply =
  | { readonly kind: "json"; readonly status: number; readonly body: unknown; readonly headers?: Headers }
  | { readonly kind: "empty"; readonly status: number; readonly headers?: Headers }
  | {
      readonly kind: "bytes";
      readonly status: number;
      readonly length: number;
      readonly pieces: Iterable<Buffer>;
      readonly headers?: Headers;
    }
  /** Destroy the socket without answering (fault injection). */
  | { readonly kind: "reset" };

type Headers = Readonly<Record<string, string>>;

export const json = (status: number, body: unknown, headers?: Headers): Reply => ({
  kind: "json",
  status,
  body,
  ...(headers ? { headers } : {}),
});

export const empty = (status: number): Reply => ({ kind: "empty", status });

/** Counts the request body bytes read, for the request log, and when the last of them was read (server.ts latency). */
export interface BodyMeter {
  requestBytes: number;
  /** `performance.now()` when the last body chunk was read; undefined while none was. */
  lastByteAt?: number;
}

/** Reads chunks of the request body, counting them. Throws if the connection dies mid-body. */
export async function* bodyChunks(req: IncomingMessage, meter: BodyMeter): AsyncGenerator<Buffer> {
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    meter.requestBytes += buffer.length;
    meter.lastByteAt = performance.now();
    yield buffer;
  }
}

/** Reads and discards what is left of a body, so a keep-alive connection stays usable after an early answer. */
export async function drain(req: IncomingMessage, meter: BodyMeter): Promise<void> {
  if (req.complete || req.destroyed) return;
  for await (const _chunk of bodyChunks(req, meter)) {
    // discarded on purpose
  }
}

/** A small JSON body (at most `maxBytes`); undefined when the body is empty. 400 invalidRequest when malformed. */
export async function readJson(req: IncomingMessage, meter: BodyMeter, maxBytes: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of bodyChunks(req, meter)) {
    total += chunk.length;
    if (total > maxBytes) {
      await drain(req, meter);
      throw errors.invalidRequest(`The request body must be at most ${maxBytes} bytes of JSON.`);
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8").trim();
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw errors.invalidRequest("The request body is not valid JSON.");
  }
}

/** `Content-Length` as a number, or undefined when absent; 400 when malformed. */
/** Reads a JSON body and validates it: 400 `invalidRequest` naming the first bad field and its rule. */
export async function readJsonBody<T extends z.ZodType>(
  req: IncomingMessage,
  meter: BodyMeter,
  maxBytes: number,
  schema: T,
): Promise<z.infer<T>> {
  const parsed = schema.safeParse(await readJson(req, meter, maxBytes));
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw errors.invalidRequest(`${issue?.path.join(".") || "(body)"}: ${issue?.message ?? "is invalid"}.`);
}

export function contentLength(req: IncomingMessage): number | undefined {
  const value = req.headers["content-length"];
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw errors.invalidRequest("The Content-Length header is malformed.");
  return Number(value);
}
