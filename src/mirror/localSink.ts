/**
 * The CLI's job sink: jobs are run in-process after the pass (src/cli/localPipeline.ts) and saved to a job state
 * file after every step, so a killed `graph-mirror mirror` resumes its unfinished uploads on the next run from
 * the server's confirmed offset, instead of planning them again.
 */

import { isTerminal, type UploadJob } from "../core/job/job.js";
import type { PendingMirrorJob } from "../core/ports/mirror.js";
import { resumeJob } from "../core/upload/engine.js";
import type { MirrorJobSink, PendingState } from "./runner.js";

export interface SavedJobs {
  get(key: string): UploadJob | undefined;
}

export class LocalJobSink implements MirrorJobSink {
  /** Jobs of earlier runs that did not finish: run them again, resumed. */
  readonly resumable: UploadJob[] = [];
  readonly submitted: UploadJob[] = [];

  constructor(private readonly saved: SavedJobs) {}

  async submit(_runId: string, jobs: readonly UploadJob[]): Promise<void> {
    this.submitted.push(...jobs);
  }

  async check(pending: PendingMirrorJob): Promise<PendingState> {
    const job = this.saved.get(pending.jobId);
    if (!job) return { state: "gone" };
    if (isTerminal(job.status)) return { state: "finished", job };
    this.resumable.push(resumeJob(job));
    return { state: "active" };
  }
}
