/**
 * In-memory twin of the wake queue with the Queue service's timing, driven by an injected clock: a sent
 * message becomes visible after its delay (rounded up to whole seconds, as the service does), a received one
 * is hidden for a visibility timeout and comes back if not deleted, and every receive raises its dequeue count.
 * Tests and the in-process pipeline driver use it to simulate redelivery without sleeping.
 */
import type { Clock } from "../core/ports/common.js";
import type { WakeMessage, WakeQueue } from "../core/ports/stores.js";
import { delaySeconds } from "./queueWake.js";

export interface QueuedMessage {
  readonly messageId: number;
  readonly message: WakeMessage;
  /** Deliveries so far, including the current one (the host's `dequeueCount`). */
  readonly dequeueCount: number;
}

interface Entry {
  readonly messageId: number;
  readonly message: WakeMessage;
  visibleAt: number;
  dequeueCount: number;
}

export class MemoryWakeQueue implements WakeQueue {
  private readonly entries: Entry[] = [];
  private nextId = 1;
  /** Every message ever sent, in order, with its delay: for assertions. */
  readonly sent: { message: WakeMessage; delayMs: number }[] = [];

  constructor(private readonly clock: Clock) {}

  async send(message: WakeMessage, delayMs: number): Promise<void> {
    this.sent.push({ message: { ...message }, delayMs });
    this.entries.push({
      messageId: this.nextId++,
      message: { ...message },
      visibleAt: this.clock.now() + delaySeconds(delayMs) * 1000,
      dequeueCount: 0,
    });
  }

  /** Takes the next visible message (oldest visibility first), hiding it for `visibilityTimeoutMs`. */
  receive(visibilityTimeoutMs: number): QueuedMessage | undefined {
    const now = this.clock.now();
    const entry = this.entries
      .filter((e) => e.visibleAt <= now)
      .sort((a, b) => a.visibleAt - b.visibleAt || a.messageId - b.messageId)[0];
    if (!entry) return undefined;
    entry.dequeueCount += 1;
    entry.visibleAt = now + visibilityTimeoutMs;
    return { messageId: entry.messageId, message: { ...entry.message }, dequeueCount: entry.dequeueCount };
  }

  /** Deletes a received message (the host does this when the function succeeds). */
  delete(messageId: number): void {
    const index = this.entries.findIndex((e) => e.messageId === messageId);
    if (index >= 0) this.entries.splice(index, 1);
  }

  /** Makes a received message visible again after `delayMs` (the host does this when the function fails). */
  release(messageId: number, delayMs: number): void {
    const entry = this.entries.find((e) => e.messageId === messageId);
    if (entry) entry.visibleAt = this.clock.now() + delayMs;
  }

  /** Messages still in the queue, visible or not. */
  get length(): number {
    return this.entries.length;
  }

  /** When the earliest message becomes visible, or undefined for an empty queue. */
  nextVisibleAt(): number | undefined {
    return this.entries.reduce<number | undefined>(
      (min, e) => (min === undefined || e.visibleAt < min ? e.visibleAt : min),
      undefined,
    );
  }
}
