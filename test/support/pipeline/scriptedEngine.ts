/**
 * A scripted stand-in for the engine's step: each call confirms one chunk of a pretend file of `size` bytes,
 * then completes. Tests override single steps (throw, wait, throttle) and observe concurrency per job.
 */
import type { StepResult, UploadJob } from "../../../src/core/job/job.js";
import type { StepRunner } from "../../../src/core/pipeline/worker.js";
import type { Clock } from "../../../src/core/ports/common.js";

export type StepOverride = (job: UploadJob, signal: AbortSignal) => Promise<StepResult> | undefined;

export class ScriptedEngine {
  readonly calls: string[] = [];
  readonly cancels: string[] = [];
  /** Highest number of steps that ran at the same time for one job (invariant 2 says 1). */
  maxConcurrentPerJob = 0;
  private readonly active = new Map<string, number>();
  private readonly overrides: StepOverride[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly size = 3 * 327_680,
    private readonly chunk = 327_680,
  ) {}

  /** The next step (of any job) is handled by `override` when it returns a promise. */
  once(override: StepOverride): void {
    this.overrides.push(override);
  }

  readonly runStep: StepRunner = async (job, signal) => {
    this.calls.push(job.jobId);
    const count = (this.active.get(job.jobId) ?? 0) + 1;
    this.active.set(job.jobId, count);
    this.maxConcurrentPerJob = Math.max(this.maxConcurrentPerJob, count);
    try {
      const override = this.overrides.shift();
      const scripted = override?.(job, signal);
      if (scripted) return await scripted;
      return this.advance(job);
    } finally {
      this.active.set(job.jobId, (this.active.get(job.jobId) ?? 1) - 1);
    }
  };

  readonly cancelJob: StepRunner = async (job) => {
    this.cancels.push(job.jobId);
    const cancelled: UploadJob = {
      ...job,
      status: "cancelled",
      session: undefined,
      updatedAt: this.clock.now(),
    };
    return { job: cancelled, next: { type: "cancelled" }, events: [] };
  };

  advance(job: UploadJob): StepResult {
    const now = this.clock.now();
    const steps = { ...job.attempts, steps: job.attempts.steps + 1 };
    if (job.confirmedOffset >= this.size) {
      const result = { itemId: "item-1", size: this.size, verification: "hash" as const };
      return {
        job: { ...job, status: "completed", result, attempts: steps, updatedAt: now },
        next: { type: "done", result },
        events: [],
      };
    }
    const confirmedOffset = Math.min(this.size, job.confirmedOffset + this.chunk);
    return {
      job: { ...job, status: "uploading", confirmedOffset, attempts: steps, updatedAt: now },
      next: { type: "continue" },
      events: [],
    };
  }
}
