/**
 * The function app's job sink: mirror jobs enter the pipeline exactly as the HTTP API's jobs do, through
 * src/core/pipeline/submitJobs.ts: rows first, at wakeSeq 0, destination claims, then one wake message per job.
 */
import { isTerminal, type UploadJob } from "../core/job/job.js";
import { submitJobs } from "../core/pipeline/submitJobs.js";
import type { Clock } from "../core/ports/common.js";
import type { PendingMirrorJob } from "../core/ports/mirror.js";
import type { DestinationIndex, JobStore, WakeQueue } from "../core/ports/stores.js";
import type { MirrorJobSink, PendingState } from "./runner.js";

/** The table store's batch limit (one transaction per call). */
const BATCH = 100;
/** A tracked job without a row after this long was never submitted (a crash between track and submit). */
export const LOST_AFTER_MS = 10 * 60 * 1000;

export class QueueJobSink implements MirrorJobSink {
  constructor(
    private readonly store: JobStore,
    private readonly wake: WakeQueue,
    private readonly clock: Clock,
    private readonly destinations: DestinationIndex,
  ) {}

  async submit(_runId: string, jobs: readonly UploadJob[]): Promise<void> {
    const deps = { jobs: this.store, wake: this.wake, clock: this.clock, destinations: this.destinations };
    for (let i = 0; i < jobs.length; i += BATCH) await submitJobs(jobs.slice(i, i + BATCH), deps);
  }

  async check(pending: PendingMirrorJob): Promise<PendingState> {
    const stored = await this.store.get(pending.jobId, pending.runId);
    if (!stored) {
      return this.clock.now() - pending.createdAt > LOST_AFTER_MS ? { state: "gone" } : { state: "active" };
    }
    return isTerminal(stored.job.status) ? { state: "finished", job: stored.job } : { state: "active" };
  }
}
