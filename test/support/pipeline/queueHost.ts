/**
 * A miniature Functions host for the wake queue, on the in-memory queue and an injected clock: it delivers one
 * message at a time to the same handler logic the step function runs (src/functions/wakeQueue.ts maps
 * `processWake` the same way), deletes it on success, makes it visible again after host.json
 * `visibilityTimeout` on failure, moves it to the poison handler at `maxDequeueCount`, and runs the sweeper
 * on its period. Time passes only through the clock: nothing sleeps.
 */
import hostJson from "../../../host.json" with { type: "json" };
import { handlePoison, type PoisonDeps } from "../../../src/core/pipeline/poison.js";
import { type SweeperDeps, sweep } from "../../../src/core/pipeline/sweeper.js";
import { processWake, type WakeResult, type WorkerDeps } from "../../../src/core/pipeline/worker.js";
import type { WakeQueue } from "../../../src/core/ports/stores.js";
import type { MemoryWakeQueue } from "../../../src/store/memoryWakeQueue.js";
import type { ManualClock } from "./manualClock.js";

export const VISIBILITY_TIMEOUT_MS = parseTimeSpan(hostJson.extensions.queues.visibilityTimeout);
export const MAX_DEQUEUE_COUNT = hostJson.extensions.queues.maxDequeueCount;
export const SWEEP_PERIOD_MS = 5 * 60_000;

export interface QueueHostOptions {
  readonly queue: MemoryWakeQueue;
  readonly clock: ManualClock;
  /**
   * Built per delivery: a fresh worker instance each time (as after a restart). Its `queue`, when given, is
   * the one the delivery's continuations are sent through.
   */
  readonly worker: () => WorkerDeps & { readonly queue?: WakeQueue };
  readonly poison: () => PoisonDeps;
  readonly sweeper: () => SweeperDeps;
  /** While a message is being processed the host holds it invisible this long (Azure: 10 minutes). */
  readonly processingVisibilityMs?: number;
  /**
   * Errors that mean "the process died": the host neither completes nor releases the message, which
   * reappears when its processing visibility runs out.
   */
  readonly isCrash?: (error: unknown) => boolean;
}

export type Delivery =
  | { readonly kind: "result"; readonly result: WakeResult; readonly dequeueCount: number }
  | { readonly kind: "error"; readonly error: unknown; readonly dequeueCount: number }
  | { readonly kind: "poisoned"; readonly outcome: string }
  | { readonly kind: "crashed"; readonly error: unknown };

export class QueueHost {
  readonly deliveries: Delivery[] = [];
  private nextSweepAt: number;

  constructor(private readonly options: QueueHostOptions) {
    this.nextSweepAt = options.clock.now() + SWEEP_PERIOD_MS;
  }

  /** Delivers the next visible message, if any. */
  async deliverOne(): Promise<Delivery | undefined> {
    const { queue } = this.options;
    const received = queue.receive(this.options.processingVisibilityMs ?? 10 * 60_000);
    if (!received) return undefined;
    let delivery: Delivery;
    try {
      const deps = this.options.worker();
      const sender = deps.queue ?? queue;
      const result = await processWake(received.message, deps);
      const continuation = result.kind === "dropped" ? undefined : result.continuation;
      if (continuation && "later" in continuation)
        await sender.send(continuation.later, continuation.delayMs);
      // The output binding is written only after the handler succeeded.
      if (continuation && "now" in continuation) await sender.send(continuation.now, 0);
      queue.delete(received.messageId);
      delivery = { kind: "result", result, dequeueCount: received.dequeueCount };
    } catch (error: unknown) {
      if (this.options.isCrash?.(error)) {
        delivery = { kind: "crashed", error };
      } else if (received.dequeueCount >= MAX_DEQUEUE_COUNT) {
        queue.delete(received.messageId);
        const outcome = await handlePoison(received.message, this.options.poison());
        delivery = { kind: "poisoned", outcome };
      } else {
        queue.release(received.messageId, VISIBILITY_TIMEOUT_MS);
        delivery = { kind: "error", error, dequeueCount: received.dequeueCount };
      }
    }
    this.deliveries.push(delivery);
    return delivery;
  }

  /**
   * Runs until `done()` holds: delivers visible messages; when none is visible, moves the clock to the next
   * visible message or sweeper tick, whichever comes first. Throws after `maxEvents` to catch livelock.
   */
  async runUntil(done: () => Promise<boolean>, maxEvents = 10_000): Promise<void> {
    for (let events = 0; events < maxEvents; events++) {
      if (await done()) return;
      if (this.options.clock.now() >= this.nextSweepAt) {
        this.nextSweepAt += SWEEP_PERIOD_MS;
        try {
          await sweep(this.options.sweeper());
        } catch (error: unknown) {
          if (!this.options.isCrash?.(error)) throw error;
        }
        continue;
      }
      if (await this.deliverOne()) continue;
      const visibleAt = this.options.queue.nextVisibleAt();
      const target = visibleAt === undefined ? this.nextSweepAt : Math.min(visibleAt, this.nextSweepAt);
      this.options.clock.set(Math.max(this.options.clock.now(), target));
    }
    throw new Error(`pipeline did not settle within ${maxEvents} events`);
  }
}

function parseTimeSpan(span: string): number {
  const [h, m, s] = span.split(":").map(Number);
  return (((h ?? 0) * 60 + (m ?? 0)) * 60 + (s ?? 0)) * 1000;
}
