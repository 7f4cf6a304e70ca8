/**
 * Queue messages that are not wake messages, or wake a job that does not exist, go to `<queue>-poison` once,
 * wrapped in a record that says why (issue 16): retrying them cannot help, and deleting them would leave no
 * trace. The record is JSON (host.json `messageEncoding` is none), so the poison function reads it like any
 * other message, recognises it and logs it without touching a job or sending it anywhere.
 */
import type { QueueClient } from "@azure/storage-queue";
import { redactSecrets } from "../core/shared/redact.js";
import type { MalformedReason } from "./wakeMessageCodec.js";

export type RejectionReason = MalformedReason | "unknown-job";

export interface RejectedWake {
  readonly reason: RejectionReason;
  readonly detail: string;
  /** Length of the original message (characters of its text, or of the JSON the worker parsed). */
  readonly length: number;
  /** The start of the original message, secrets redacted: enough to recognise its sender. */
  readonly preview: string;
}

/** The single field of the poison record; not `id` or another trigger-metadata name (docs/platform.md). */
const FIELD = "rejectedWake";
const PREVIEW_CHARS = 200;

export function rejectionOf(item: unknown, reason: RejectionReason, detail: string): RejectedWake {
  const text = typeof item === "string" ? item : (JSON.stringify(item ?? null) ?? "");
  return { reason, detail, length: text.length, preview: redactSecrets(text).slice(0, PREVIEW_CHARS) };
}

export function rejectedWakeText(rejection: RejectedWake): string {
  return JSON.stringify({ [FIELD]: rejection });
}

/** The record in a poison message, when it is one of ours (the host hands JSON over parsed, or as text). */
export function readRejectedWake(item: unknown): RejectedWake | undefined {
  let value = item;
  if (typeof value === "string" && value.trimStart().startsWith("{")) {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (typeof value !== "object" || value === null || !(FIELD in value)) return undefined;
  const record = (value as Record<string, unknown>)[FIELD];
  if (typeof record !== "object" || record === null) return undefined;
  const { reason, detail, length, preview } = record as Record<string, unknown>;
  if (typeof reason !== "string" || typeof detail !== "string") return undefined;
  return {
    reason: reason as RejectionReason,
    detail,
    length: typeof length === "number" ? length : 0,
    preview: typeof preview === "string" ? preview : "",
  };
}

/** Where rejection records go: the poison queue, or a list in tests. */
export interface RejectedWakes {
  reject(rejection: RejectedWake): Promise<void>;
}

/** Sends rejection records to the poison queue. */
export class RejectedWakeQueue implements RejectedWakes {
  constructor(
    private readonly poison: QueueClient,
    private readonly deadlineMs = 30_000,
  ) {}

  async reject(rejection: RejectedWake): Promise<void> {
    await this.poison.sendMessage(rejectedWakeText(rejection), {
      abortSignal: AbortSignal.timeout(this.deadlineMs),
    });
  }
}

/** In-memory twin: keeps the records. */
export class MemoryRejectedWakes implements RejectedWakes {
  readonly records: RejectedWake[] = [];
  async reject(rejection: RejectedWake): Promise<void> {
    this.records.push(rejection);
  }
}
