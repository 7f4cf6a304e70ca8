/**
 * The wake message on the queue, and its text encoding. The Functions host's queue trigger decodes message
 * text as base64 unless host.json says `"messageEncoding": "none"`; the JS QueueClient sends text as given,
 * so plain JSON would go straight to the poison queue (PLATFORM.md "Encoding"). We keep the host's default,
 * state it explicitly in host.json, and encode what we send to match (docs/pipeline.md "Message encoding").
 */
import { z } from "zod";
import type { WakeMessage } from "../core/storePorts.js";

/** Must equal `extensions.queues.messageEncoding` in host.json (a test holds them together). */
export const WAKE_MESSAGE_ENCODING = "base64" as const;

const KEY_SAFE = /^[A-Za-z0-9_-]{1,200}$/;

const wakeMessageSchema = z
  .object({
    jobId: z.string().regex(KEY_SAFE),
    wakeSeq: z.number().int().nonnegative(),
    requestId: z.string().regex(KEY_SAFE).optional(),
  })
  .strict();

/** The JSON body of a wake message. Field names avoid `id` & co., which clash with trigger metadata. */
export function wakeMessageJson(message: WakeMessage): string {
  return JSON.stringify({
    jobId: message.jobId,
    wakeSeq: message.wakeSeq,
    ...(message.requestId !== undefined ? { requestId: message.requestId } : {}),
  });
}

/** The queue message text as the host expects it. */
export function encodeWakeMessage(message: WakeMessage): string {
  return Buffer.from(wakeMessageJson(message), "utf8").toString("base64");
}

/**
 * Reads what a queue trigger hands the function: the host has already decoded base64 and, for JSON text,
 * parsed it into an object. Accepts the text forms too (a raw queue read). Returns undefined when the message
 * is not a wake message.
 */
export function parseWakeMessage(item: unknown): WakeMessage | undefined {
  let value = item;
  if (typeof value === "string") {
    const text = value.trim().startsWith("{") ? value : Buffer.from(value, "base64").toString("utf8");
    try {
      value = JSON.parse(text);
    } catch {
      return undefined;
    }
  }
  const parsed = wakeMessageSchema.safeParse(value);
  if (!parsed.success) return undefined;
  const { jobId, wakeSeq, requestId } = parsed.data;
  return requestId === undefined ? { jobId, wakeSeq } : { jobId, wakeSeq, requestId };
}
