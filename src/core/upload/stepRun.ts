/**
 * What every phase of one step shares (docs/upload.md "How the engine works"): the job as the step received it,
 * the step's dependencies, its clock reading and abort signal, the source (opened on first use), and the ways a
 * failure becomes the next job state. The phases (prepare.ts, simpleUpload.ts, createSession.ts,
 * sendFragment.ts, serverRanges.ts, finish.ts) are functions that take it first; engine.ts picks the phase.
 */
import { advanceHash, type InMemoryBytes } from "../job/hashProgress.js";
import type { StepResult, UploadJob } from "../job/job.js";
import { type ByteSource, SourceChangedError, type SourceFingerprint } from "../ports/common.js";
import type { QuickXorState } from "../shared/quickXorHash.js";
import type { EngineDeps } from "./engineDeps.js";
import { classifyFailure, jobError, type Operation } from "./errorClassification.js";
import { applyDecision, type OutcomeDeps } from "./outcomes.js";
import { afterSourceChange } from "./sourceChange.js";

/** One step over one job: holds the job being built and the step's dependencies. */
export class StepRun {
  readonly now: number;
  readonly outcome: OutcomeDeps;
  private sourceHandle: ByteSource | undefined;

  constructor(
    readonly job: UploadJob,
    readonly deps: EngineDeps,
    readonly signal: AbortSignal | undefined,
  ) {
    this.now = deps.clock.now();
    this.outcome = {
      now: this.now,
      policy: deps.policy,
      cancelSession: async (j) => {
        if (!j.session) return;
        try {
          await deps.graph.cancelUploadSession(j.session.uploadUrl, signal);
        } catch {
          // Best effort: a session we cannot reach expires on its own.
        }
      },
    };
  }

  /** The job's source, opened on first use: a step that reads no bytes never opens it. */
  get source(): ByteSource {
    this.sourceHandle ??= this.deps.sources.open(this.job.source);
    return this.sourceHandle;
  }

  /**
   * The job's hash advanced over its bytes up to `to` (normally the chunk just sent, still in `sent`), or the
   * step result for a source that changed or failed meanwhile.
   */
  async hashThrough(
    job: UploadJob,
    fingerprint: SourceFingerprint,
    to: number,
    sent?: InMemoryBytes,
    speculative?: QuickXorState,
  ): Promise<{ readonly hash: UploadJob["hash"] } | { readonly failed: StepResult }> {
    // Hashed while the fragment was on the wire, from this very job.hash: valid when confirmed exactly that far.
    if (speculative && speculative.length === to && job.hash.length <= to) return { hash: speculative };
    try {
      return {
        hash: await advanceHash(job.hash, to, this.source, fingerprint, job.chunkSize, sent, this.signal),
      };
    } catch (err: unknown) {
      return { failed: await this.sourceFailure(job, err) };
    }
  }

  /** Reading the source failed: a changed source restarts the upload (sourceChange.ts), else retry later. */
  async sourceFailure(job: UploadJob, err: unknown): Promise<StepResult> {
    if (err instanceof SourceChangedError) return afterSourceChange(job, err, this.outcome);
    const message = err instanceof Error ? err.message : String(err);
    return applyDecision(
      job,
      {
        action: "retry-after",
        error: jobError("source-unreadable", `reading the source failed: ${message}`),
        delayMs: this.deps.policy.backoff.baseMs,
        resync: false,
        throttleDrive: false,
      },
      this.outcome,
    );
  }

  /**
   * A Graph call failed: errorClassification.ts decides what comes next. After an abort the error is our own
   * doing, not the service's answer, so it is rethrown instead of classified.
   */
  failure(job: UploadJob, err: unknown, operation: Operation): Promise<StepResult> {
    if (this.signal?.aborted) throw err;
    return applyDecision(job, classifyFailure(err, operation, this.classifyContext()), this.outcome);
  }

  private classifyContext() {
    return {
      retries: this.job.attempts.retries,
      badRequestResyncs: this.job.attempts.badRequestResyncs,
      now: this.now,
      random: this.deps.random,
      policy: this.deps.policy,
      conflict: this.job.conflictBehavior,
    };
  }
}
