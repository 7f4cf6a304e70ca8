/**
 * The CLI drives the same worker as the queue-triggered Function (docs/pipeline.md "The CLI drives the same
 * worker"): jobs enter through `submitJobs`, and consumers take wakes from a timer-backed queue and hand each
 * to `processWake` (src/core/pipeline/worker.ts): lease, wake numbers, the per-drive throttle store
 * (one 429 slows every job on that drive), one step, the result written before its continuation is sent.
 * The job file (src/store/fileJobStore.ts) is the JobStore, so throttling, persistence and submission exist once.
 *
 * What differs from the Function is only around the worker: delays are timers, there is no step deadline (a
 * person watches, Ctrl-C aborts the step, and each Graph request has its own timeout), and the run ends when
 * every job of it is terminal. Progress comes from wrapping `runStep`: each StepResult's events are reported
 * once the worker has written the step's row.
 *
 * Consumers come in pools by lane (classedWakeQueue.ts, docs/upload.md "Concurrency"): `parallelSmall` for
 * files that go by one simple upload, `parallel` for the fragments of the rest, and `parallel` more for their
 * session creation, which moves no file bytes; without `parallelSmall`, one pool of `parallel` runs all.
 * A consumer keeps the file it is on: a continuation due now, in its own lane, is its next wake (as the queue
 * Function's continuation would be the next message of a queue holding nothing else), so `--parallel` files are
 * open at a time and each holds its read-ahead, rather than every file open and taking turns.
 */
import { setMaxListeners } from "node:events";
import { isTerminal, type StepResult, type UploadJob } from "../core/job/job.js";
import { wakeMessageFor } from "../core/pipeline/lease.js";
import { submitJobs } from "../core/pipeline/submitJobs.js";
import { processWake, type WakeResult, type WorkerDeps } from "../core/pipeline/worker.js";
import type { JobStore, WakeMessage } from "../core/ports/stores.js";
import { cancelJob, type EngineDeps, resumeJob, step } from "../core/upload/engine.js";
import { MemoryDestinationIndex } from "../store/memoryDestinationIndex.js";
import { MemoryThrottleStore } from "../store/memoryThrottleStore.js";
import { ClassedWakeQueue, type Lane, sizeClassOf } from "./classedWakeQueue.js";
import type { FileLabel, ProgressReporter } from "./progress/reporter.js";

/**
 * A lease only ever meets another wake of the same job inside this process (the job file is locked, and a
 * dead process's leases are released on open), so its length matters only to the worker's arithmetic.
 */
const LEASE_MS = 60 * 60_000;

export interface RunEntry {
  readonly job: UploadJob;
  readonly label: FileLabel;
  /** The file's size when known before the upload starts (a local file's stat), for the overall total. */
  readonly expectedSize?: number;
  /** The job's row is already in the store (an earlier run's): its job is written over it, then woken. */
  readonly existing?: boolean;
}

export interface LocalPipelineOptions {
  readonly store: JobStore;
  readonly engine: EngineDeps;
  /** Files uploaded at the same time (all files, or only large ones when `parallelSmall` is given). */
  readonly parallel: number;
  /** Small files (a simple upload by their known size) uploaded at the same time, beside `parallel` large. */
  readonly parallelSmall?: number;
  readonly reporter: ProgressReporter;
  readonly signal: AbortSignal;
  /** Called once per job that ends in this run, after its final row is written (the mirror's job-end record). */
  readonly onJobEnd?: (job: UploadJob) => Promise<void>;
}

/** Runs every entry to a terminal status (or until the signal aborts: then rejects with its reason). */
export async function runLocalPipeline(
  entries: readonly RunEntry[],
  options: LocalPipelineOptions,
): Promise<UploadJob[]> {
  for (const { label, job, expectedSize } of entries) {
    const size = job.fingerprint?.size ?? expectedSize;
    if (size !== undefined) options.reporter.planned?.(label, size);
  }
  const run = new LocalRun(entries, options);
  await run.submit();
  await run.drain();
  return entries.map(({ job }) => run.latest(job.jobId) ?? job);
}

class LocalRun {
  private readonly queue = new ClassedWakeQueue();
  private readonly destinations = new MemoryDestinationIndex();
  private readonly labels = new Map<string, FileLabel>();
  private readonly ended = new Map<string, UploadJob>();
  /** Jobs of this run not yet terminal: the run ends when this is empty. */
  private readonly active = new Set<string>();
  /** Wakes being handled, per job: a dropped wake is replaced only when none is left anywhere. */
  private readonly handling = new Map<string, number>();
  private readonly stop = new AbortController();
  private readonly signal: AbortSignal;
  private readonly worker: Omit<WorkerDeps, "runStep" | "cancelJob">;
  private failure: { readonly error: unknown } | undefined;

  constructor(
    private readonly entries: readonly RunEntry[],
    private readonly options: LocalPipelineOptions,
  ) {
    this.signal = AbortSignal.any([options.signal, this.stop.signal]);
    // Every consumer waiting for a wake and every request in flight listens to the run's signal: by design more
    // than the 10 at which Node warns of a leak (16 small-file consumers alone by default).
    setMaxListeners(0, this.signal);
    for (const { job, label, expectedSize } of entries) {
      this.labels.set(job.jobId, label);
      if (options.parallelSmall !== undefined) {
        this.queue.assign(job.jobId, sizeClassOf(job, expectedSize), job.session !== undefined);
      }
      if (isTerminal(job.status)) this.ended.set(job.jobId, job);
      else this.active.add(job.jobId);
    }
    this.worker = {
      store: options.store,
      throttle: new MemoryThrottleStore(),
      clock: options.engine.clock,
      resume: resumeJob,
      leaseMs: LEASE_MS,
      stepDeadlineMs: LEASE_MS,
      deadline: () => ({ signal: this.signal, dispose: () => {} }),
      claims: { destinations: this.destinations, wake: this.queue },
    };
  }

  latest(jobId: string): UploadJob | undefined {
    return this.ended.get(jobId);
  }

  /** New jobs through submitJobs (rows, destination claims, wakes); earlier runs' jobs over their rows. */
  async submit(): Promise<void> {
    const fresh = new Map<string, UploadJob[]>();
    for (const { job, existing } of this.entries) {
      if (!this.active.has(job.jobId)) continue;
      if (existing) await this.rewake(job);
      else {
        const jobs = fresh.get(job.requestId);
        if (jobs) jobs.push(job);
        else fresh.set(job.requestId, [job]);
      }
    }
    const submit = { jobs: this.options.store, wake: this.queue, clock: this.options.engine.clock };
    for (const jobs of fresh.values()) await submitJobs(jobs, { ...submit, destinations: this.destinations });
  }

  /** Runs the consumers until every job is terminal, the signal aborts or a step throws. */
  async drain(): Promise<void> {
    if (this.active.size === 0) this.queue.close();
    const { parallel, parallelSmall } = this.options;
    const smallJobs =
      parallelSmall === undefined
        ? 0
        : this.entries.filter(
            ({ job, expectedSize }) =>
              this.active.has(job.jobId) && sizeClassOf(job, expectedSize) === "small",
          ).length;
    const small = Math.min(parallelSmall ?? 0, smallJobs);
    // At least one consumer, even with nothing to run: it sees the closed queue and returns.
    const large = Math.max(small > 0 ? 0 : 1, Math.min(parallel, this.active.size - smallJobs));
    const prepare = parallelSmall === undefined ? 0 : Math.min(parallel, this.active.size - smallJobs);
    await Promise.all([
      ...Array.from({ length: small }, () => this.consume("small")),
      ...Array.from({ length: prepare }, () => this.consume("prepare")),
      ...Array.from({ length: large }, () => this.consume("large")),
    ]);
    this.queue.close();
    if (this.options.signal.aborted) throw this.options.signal.reason;
    if (this.failure) throw this.failure.error;
  }

  private async rewake(job: UploadJob): Promise<void> {
    const row = await this.options.store.get(job.jobId, job.requestId);
    if (!row) throw new Error(`job ${job.jobId} is missing from the job file`);
    const { etag, leaseOwner: _owner, leaseUntil: _until, ...free } = row;
    const written = await this.options.store.replace({ ...free, job }, etag);
    await this.queue.send(wakeMessageFor(written), 0);
  }

  private async consume(lane: Lane): Promise<void> {
    let message = await this.take(lane);
    while (message) {
      const { jobId } = message;
      this.handling.set(jobId, (this.handling.get(jobId) ?? 0) + 1);
      let next: WakeMessage | undefined;
      try {
        next = await this.handle(message, lane);
      } catch (err: unknown) {
        // The worker released the lease and marked the job for resume; stop everything, keep the first cause.
        this.failure ??= { error: err };
        this.stop.abort(err);
        return;
      } finally {
        this.handling.set(jobId, (this.handling.get(jobId) ?? 1) - 1);
        if (lane === "prepare") this.queue.prepared();
      }
      // An aborted run takes nothing more, kept continuation included: the next run wakes every job again.
      if (this.signal.aborted) return;
      message = next ?? (await this.take(lane));
    }
  }

  private take(lane: Lane): Promise<WakeMessage | undefined> {
    return lane === "prepare"
      ? this.queue.receivePrepared(this.options.parallel, this.signal)
      : this.queue.receive(lane, this.signal);
  }

  /** Handles one wake; returns its continuation when this consumer should run it next (see the file's header). */
  private async handle(message: WakeMessage, lane: Lane): Promise<WakeMessage | undefined> {
    let stepped: StepResult | undefined;
    const engine = this.options.engine;
    const result = await processWake(message, {
      ...this.worker,
      runStep: async (job, signal) => (stepped = await step(job, engine, signal)),
      cancelJob: async (job, signal) => (stepped = await cancelJob(job, engine, signal)),
    });
    if (result.kind === "stepped") {
      this.queue.noteStep(result.job);
      const label = this.labels.get(result.job.jobId);
      if (label) this.options.reporter.events(label, result.job, stepped?.events ?? []);
      if (isTerminal(result.job.status)) await this.end(result.job);
      const next = result.continuation;
      if (next && "now" in next && this.queue.laneOf(result.job.jobId) === lane && lane !== "prepare") {
        return next.now;
      }
    }
    await this.continueWith(result, message);
    return undefined;
  }

  private async continueWith(result: WakeResult, message: WakeMessage): Promise<void> {
    if (result.kind !== "dropped") {
      const next = result.continuation;
      if (next)
        await this.queue.send("now" in next ? next.now : next.later, "now" in next ? 0 : next.delayMs);
      return;
    }
    // In one process a drop is rare (a superseded job's old continuation); the sweeper's rule then applies: an
    // active job that no wake will reach any more is woken again from its row.
    if (!this.active.has(message.jobId) || this.queue.holds(message.jobId)) return;
    if ((this.handling.get(message.jobId) ?? 0) > 1) return;
    const row = await this.options.store.get(message.jobId, message.requestId);
    if (!row) throw new Error(`job ${message.jobId} is missing from the job file`);
    if (isTerminal(row.job.status)) await this.end(row.job);
    else await this.queue.send(wakeMessageFor(row), 0);
  }

  private async end(job: UploadJob): Promise<void> {
    if (!this.active.delete(job.jobId)) return;
    this.ended.set(job.jobId, job);
    await this.options.onJobEnd?.(job);
    if (this.active.size === 0) this.queue.close();
  }
}
