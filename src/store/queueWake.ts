/**
 * WakeQueue on Azure Queue Storage (@azure/storage-queue). Delays use the message's initial visibility timeout
 * (docs/platform.md: the output binding cannot delay a message, so delayed continuations go through the SDK).
 */
import type { QueueClient } from "@azure/storage-queue";
import type { WakeMessage, WakeQueue } from "../core/ports/stores.js";
import { encodeWakeMessage } from "./wakeMessageCodec.js";

/**
 * A message lives 7 days by default and its visibility delay must end before that; longer waits are cut
 * short and the worker simply finds the job not yet due (or the sweeper wakes it).
 */
export const MAX_DELAY_MS = 6 * 24 * 3600 * 1000;

export function delaySeconds(delayMs: number): number {
  return Math.ceil(Math.min(Math.max(delayMs, 0), MAX_DELAY_MS) / 1000);
}

export class QueueWake implements WakeQueue {
  constructor(
    private readonly queue: QueueClient,
    private readonly deadlineMs = 30_000,
  ) {}

  async send(message: WakeMessage, delayMs: number): Promise<void> {
    const visibilityTimeout = delaySeconds(delayMs);
    await this.queue.sendMessage(encodeWakeMessage(message), {
      ...(visibilityTimeout > 0 ? { visibilityTimeout } : {}),
      abortSignal: AbortSignal.timeout(this.deadlineMs),
    });
  }
}
