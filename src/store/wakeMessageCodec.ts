/**
 * The wake message on the queue, and its text encoding.
 *
 * host.json says `"messageEncoding": "none"`, so the host hands the function the message text as it is, and every
 * message, however broken, reaches our code. Under the host's default (base64) a message that is not base64
 * never reaches the function: the queue extension moves it to `<queue>-poison` itself, and the poison function's
 * trigger, decoding the same way, moves it on to `<queue>-poison-poison` (issue 16; azure-sdk-for-net PR 18326).
 * So we send plain JSON, and still read base64 JSON, which older senders (and messages queued before this
 * change) use. docs/platform.md "Encoding": the setting and the sender must agree; a test holds them together.
 */
import { z } from "zod";
import type { WakeMessage } from "../core/ports/stores.js";

/** Must equal `extensions.queues.messageEncoding` in host.json (a test holds them together). */
export const WAKE_MESSAGE_ENCODING = "none" as const;

/** A wake message is under 500 characters (two 200-character keys and a number); anything far larger is not one. */
export const MAX_WAKE_MESSAGE_CHARS = 1_024;

const KEY_SAFE = /^[A-Za-z0-9_-]{1,200}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

const wakeMessageSchema = z
  .object({
    jobId: z.string().regex(KEY_SAFE),
    wakeSeq: z.number().int().nonnegative(),
    requestId: z.string().regex(KEY_SAFE).optional(),
  })
  .strict();

/** Why a queue message is not a wake message. Stable names: they appear in the poison queue and the logs. */
export type MalformedReason = "oversized" | "not-base64" | "not-json" | "unknown-fields" | "invalid-fields";

export type WakeReading =
  | { readonly ok: true; readonly message: WakeMessage }
  | { readonly ok: false; readonly reason: MalformedReason; readonly detail: string };

/** The JSON body of a wake message. Field names avoid `id` & co., which clash with trigger metadata. */
export function wakeMessageJson(message: WakeMessage): string {
  return JSON.stringify({
    jobId: message.jobId,
    wakeSeq: message.wakeSeq,
    ...(message.requestId !== undefined ? { requestId: message.requestId } : {}),
  });
}

/** The queue message text as the host expects it (host.json `messageEncoding`: none). */
export function encodeWakeMessage(message: WakeMessage): string {
  return wakeMessageJson(message);
}

/**
 * Reads what a queue trigger hands the function: the text, or (for JSON text) the object the worker already
 * parsed it into. Base64 JSON is accepted too (older senders). Says why when it is not a wake message.
 */
export function readWakeMessage(item: unknown): WakeReading {
  const value = typeof item === "string" ? parseText(item) : checkSize(item);
  if ("reason" in value) return { ok: false, ...value };
  const parsed = wakeMessageSchema.safeParse(value.json);
  if (!parsed.success) {
    const unknown = parsed.error.issues.find((issue) => issue.code === "unrecognized_keys");
    // Field names and rules only, never values: a stray field could hold anything, even a secret.
    const detail = parsed.error.issues
      .map((issue) =>
        issue.code === "unrecognized_keys"
          ? `unknown field(s) ${issue.keys.join(", ")}`
          : `${issue.path.join(".") || "message"}: ${issue.message}`,
      )
      .join("; ");
    return { ok: false, reason: unknown ? "unknown-fields" : "invalid-fields", detail };
  }
  const { jobId, wakeSeq, requestId } = parsed.data;
  return { ok: true, message: requestId === undefined ? { jobId, wakeSeq } : { jobId, wakeSeq, requestId } };
}

/** The wake message in `item`, or undefined when it is not one (see {@link readWakeMessage} for why). */
export function parseWakeMessage(item: unknown): WakeMessage | undefined {
  const reading = readWakeMessage(item);
  return reading.ok ? reading.message : undefined;
}

type Parsed = { readonly json: unknown } | { readonly reason: MalformedReason; readonly detail: string };

function parseText(text: string): Parsed {
  if (text.length > MAX_WAKE_MESSAGE_CHARS) return oversized(text.length);
  const trimmed = text.trim();
  let json = trimmed;
  if (!trimmed.startsWith("{")) {
    if (!BASE64.test(trimmed) || trimmed.length % 4 !== 0)
      return { reason: "not-base64", detail: "neither JSON nor base64-encoded JSON" };
    json = Buffer.from(trimmed, "base64").toString("utf8");
  }
  try {
    return { json: JSON.parse(json) };
  } catch {
    return { reason: "not-json", detail: "the text is not JSON" };
  }
}

function checkSize(value: unknown): Parsed {
  const length = JSON.stringify(value ?? null).length;
  return length > MAX_WAKE_MESSAGE_CHARS ? oversized(length) : { json: value };
}

function oversized(length: number): Parsed {
  return {
    reason: "oversized",
    detail: `${length} characters; a wake message has at most ${MAX_WAKE_MESSAGE_CHARS}`,
  };
}
