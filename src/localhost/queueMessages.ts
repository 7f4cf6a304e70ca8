/**
 * How the Functions host turns a Queue Storage message into a trigger invocation, and an output binding value
 * back into messages (Microsoft docs, "Azure Queue storage trigger/output for Azure Functions"):
 * - host.json `messageEncoding` (default base64) applies both ways: messages are base64-decoded before the
 *   function sees them and base64-encoded when an output binding writes them.
 * - Trigger metadata: QueueTrigger, DequeueCount, Id, PopReceipt, InsertionTime, ExpirationTime,
 *   NextVisibleTime; the JSON object's own top-level properties are added as binding data too, and win over
 *   the system names (the known trap behind "never name a field id or dequeueCount", docs/platform.md).
 * - An output value that is an array writes one message per element.
 */
import type { DequeuedMessageItem } from "@azure/storage-queue";
import type { RpcTypedData } from "./coreTypes.js";

export function decodeMessage(text: string, encoding: "base64" | "none"): string {
  if (encoding === "none") return text;
  const normalised = text.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(normalised) || normalised.length % 4 !== 0)
    throw new Error("the message is not valid base64 (host.json messageEncoding is base64)");
  return Buffer.from(normalised, "base64").toString("utf8");
}

export function encodeMessage(text: string, encoding: "base64" | "none"): string {
  return encoding === "none" ? text : Buffer.from(text, "utf8").toString("base64");
}

export function triggerMetadataFor(message: DequeuedMessageItem, body: string): Record<string, RpcTypedData> {
  const metadata: Record<string, RpcTypedData> = {
    QueueTrigger: { string: body },
    DequeueCount: { json: String(message.dequeueCount) },
    Id: { string: message.messageId },
    PopReceipt: { string: message.popReceipt },
    InsertionTime: { json: JSON.stringify(message.insertedOn.toISOString()) },
    ExpirationTime: { json: JSON.stringify(message.expiresOn.toISOString()) },
    NextVisibleTime: { json: JSON.stringify(message.nextVisibleOn.toISOString()) },
  };
  const parsed = tryParse(body);
  if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
    for (const [key, value] of Object.entries(parsed)) {
      metadata[key] = typeof value === "string" ? { string: value } : { json: JSON.stringify(value) };
    }
  }
  return metadata;
}

/** The message texts an output binding value stands for (before encoding). */
export function outputMessages(value: RpcTypedData | null | undefined): string[] {
  if (!value) return [];
  if (typeof value.string === "string") return [value.string];
  if (value.bytes) return [Buffer.from(value.bytes).toString("utf8")];
  if (typeof value.int === "number") return [String(value.int)];
  if (typeof value.double === "number") return [String(value.double)];
  if (typeof value.json === "string") {
    const parsed = tryParse(value.json);
    if (Array.isArray(parsed))
      return parsed.map((item) => (typeof item === "string" ? item : JSON.stringify(item)));
    return [value.json];
  }
  return [];
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
