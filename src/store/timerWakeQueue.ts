/**
 * The CLI's wake queue: the queue pipeline's WakeQueue with real timers in place of visibility delays
 * (docs/pipeline.md "The CLI drives the same worker"). A delayed wake becomes receivable after exactly its
 * delay (not rounded up to whole seconds as Queue Storage does: a 300 ms Retry-After waits 300 ms), and
 * `receive` blocks until a wake is ready, the queue is closed or the signal aborts. Nothing is persisted: the
 * job file is the state, and the next run wakes every unfinished job again.
 *
 * The delay timers are not unref'd: a pending delay is what keeps the process alive while every job waits.
 */
import type { WakeMessage, WakeQueue } from "../core/ports/stores.js";

export class TimerWakeQueue implements WakeQueue {
  private readonly ready: WakeMessage[] = [];
  private readonly delayed = new Map<ReturnType<typeof setTimeout>, WakeMessage>();
  private readonly waiters = new Set<(message: WakeMessage | undefined) => void>();
  private closed = false;

  async send(message: WakeMessage, delayMs: number): Promise<void> {
    if (this.closed) return;
    const copy = { ...message };
    if (delayMs <= 0) {
      this.deliver(copy);
      return;
    }
    const timer = setTimeout(() => {
      this.delayed.delete(timer);
      this.deliver(copy);
    }, delayMs);
    this.delayed.set(timer, copy);
  }

  /** The next ready wake (oldest first), waiting for one; undefined once closed or aborted. */
  receive(signal?: AbortSignal): Promise<WakeMessage | undefined> {
    // An aborted consumer takes nothing: a wake it took could not run, and would be lost to the others.
    if (this.closed || signal?.aborted) return Promise.resolve(undefined);
    const next = this.ready.shift();
    if (next) return Promise.resolve(next);
    return new Promise((resolve) => {
      const onAbort = () => finish(undefined);
      const finish = (message: WakeMessage | undefined) => {
        this.waiters.delete(finish);
        signal?.removeEventListener("abort", onAbort);
        resolve(message);
      };
      this.waiters.add(finish);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Whether a wake for this job is waiting, ready or delayed. */
  holds(jobId: string): boolean {
    return (
      this.ready.some((m) => m.jobId === jobId) || [...this.delayed.values()].some((m) => m.jobId === jobId)
    );
  }

  /** Drops every wake and timer; waiting receivers get undefined, later sends are ignored. */
  close(): void {
    this.closed = true;
    for (const timer of this.delayed.keys()) clearTimeout(timer);
    this.delayed.clear();
    this.ready.length = 0;
    for (const waiter of [...this.waiters]) waiter(undefined);
  }

  private deliver(message: WakeMessage): void {
    const waiter = this.waiters.values().next();
    if (waiter.done) this.ready.push(message);
    else waiter.value(message);
  }
}
