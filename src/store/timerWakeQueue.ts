/**
 * The CLI's wake queue: the queue pipeline's WakeQueue with real timers in place of visibility delays
 * (docs/pipeline.md "The CLI drives the same worker"). A delayed wake becomes receivable after exactly its
 * delay (not rounded up to whole seconds as Queue Storage does: a 300 ms Retry-After waits 300 ms), and
 * `receive` blocks until a wake is ready, the queue is closed or the signal aborts. Nothing is persisted: the
 * job file is the state, and the next run wakes every unfinished job again.
 *
 * The delay timers are not unref'd: a pending delay is what keeps the process alive while every job waits.
 *
 * Jobs already started come first: a wake for a job this queue has handed out before (its next step, a retry
 * after its delay) is received before any job's first wake, oldest first within each tier. With plain FIFO
 * order, every one of 300 small files ran its first step (fingerprint, one job-file write each) before the
 * first file's upload, ~250 ms before the first request, and every large file's session was open at once; now
 * the consumers finish what they started, as `--parallel` says (issue 17, docs/upload.md "Memory").
 */
import type { WakeMessage, WakeQueue } from "../core/ports/stores.js";

export class TimerWakeQueue implements WakeQueue {
  /** Wakes of jobs handed out before: received first. */
  private readonly continuing: WakeMessage[] = [];
  /** First wakes. */
  private readonly ready: WakeMessage[] = [];
  /** Jobs a wake was handed out for. */
  private readonly started = new Set<string>();
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
    const next = this.continuing.shift() ?? this.ready.shift();
    if (next) return Promise.resolve(this.handOut(next));
    return new Promise((resolve) => {
      const onAbort = () => finish(undefined);
      const finish = (message: WakeMessage | undefined) => {
        this.waiters.delete(finish);
        signal?.removeEventListener("abort", onAbort);
        resolve(message && this.handOut(message));
      };
      this.waiters.add(finish);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Wakes receivable now and not yet taken (delayed ones not counted): what waits for a free consumer. */
  receivable(): number {
    return this.continuing.length + this.ready.length;
  }

  /** Whether a wake for this job is waiting, ready or delayed. */
  holds(jobId: string): boolean {
    return (
      this.continuing.some((m) => m.jobId === jobId) ||
      this.ready.some((m) => m.jobId === jobId) ||
      [...this.delayed.values()].some((m) => m.jobId === jobId)
    );
  }

  /** Drops every wake and timer; waiting receivers get undefined, later sends are ignored. */
  close(): void {
    this.closed = true;
    for (const timer of this.delayed.keys()) clearTimeout(timer);
    this.delayed.clear();
    this.continuing.length = 0;
    this.ready.length = 0;
    for (const waiter of [...this.waiters]) waiter(undefined);
  }

  private deliver(message: WakeMessage): void {
    const waiter = this.waiters.values().next();
    if (!waiter.done) waiter.value(message);
    else if (this.started.has(message.jobId)) this.continuing.push(message);
    else this.ready.push(message);
  }

  private handOut(message: WakeMessage): WakeMessage {
    this.started.add(message.jobId);
    return message;
  }
}
