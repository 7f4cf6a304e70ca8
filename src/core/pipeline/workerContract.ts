/**
 * The worker's contract: what one delivery needs (WorkerDeps) and what it answers (WakeResult). Kept apart from
 * worker.ts so helpers it calls (leaseWait.ts) can name these types without importing the worker back.
 */
import type { StepResult, UploadJob } from "../job/job.js";
import type { Clock } from "../ports/common.js";
import type { DestinationIndex, JobStore, ThrottleStore, WakeMessage, WakeQueue } from "../ports/stores.js";
import type { JobRowCache } from "./jobRowCache.js";
import type { PipelineLog } from "./pipelineLog.js";

export type StepRunner = (job: UploadJob, signal: AbortSignal) => Promise<StepResult>;

export interface Deadline {
  readonly signal: AbortSignal;
  dispose(): void;
}

export interface WorkerDeps {
  readonly store: JobStore;
  readonly throttle: ThrottleStore;
  readonly clock: Clock;
  /** One step of the engine (src/core/upload/engine.ts `step`). */
  readonly runStep: StepRunner;
  /** Cancels the job: deletes its upload session (engine `cancelJob`). */
  readonly cancelJob: StepRunner;
  /**
   * Prepares a job whose previous worker never released its lease (it crashed or timed out mid-step): its
   * last fragment's fate is unknown (engine `resumeJob`: ask the session status before sending).
   */
  readonly resume?: (job: UploadJob) => UploadJob;
  readonly leaseMs: number;
  readonly stepDeadlineMs: number;
  /** A unique id for this delivery's lease (default: a random UUID). */
  readonly newLeaseId?: () => string;
  /** A deadline for the step (default: a timer). Injected so tests can expire it without waiting. */
  readonly deadline?: (ms: number) => Deadline;
  readonly log?: PipelineLog;
  /**
   * The rows this process wrote when scheduling a continuation (one per instance): a wake whose row is here
   * skips reading it, and reads after all when its first conditional write fails. Absent: always read.
   */
  readonly rowCache?: JobRowCache;
  /**
   * The one-job-per-destination index (src/core/pipeline/destinationClaim.ts) and the queue a superseded job's wake goes
   * to. A job's first step claims its item; a job that finds a newer one there ends `superseded` without any
   * Graph call. Absent (unit tests of other rules): no claims.
   */
  readonly claims?: { readonly destinations: DestinationIndex; readonly wake: WakeQueue };
}

export type Continuation =
  | { readonly now: WakeMessage }
  | { readonly later: WakeMessage; readonly delayMs: number };

export type DropReason = "unknown-job" | "terminal" | "stale" | "leased" | "lost-race" | "lost-lease";

export type WakeResult =
  | { readonly kind: "dropped"; readonly reason: DropReason }
  | { readonly kind: "throttled"; readonly continuation: Continuation }
  /** Another worker held a live lease: the job is woken again when that lease ends. */
  | { readonly kind: "deferred"; readonly continuation: Continuation }
  | { readonly kind: "stepped"; readonly job: UploadJob; readonly continuation?: Continuation };
