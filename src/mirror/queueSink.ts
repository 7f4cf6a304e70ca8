/**
 * The function app's job sink: mirror jobs go into the job table and onto the wake queue exactly as the HTTP
 * API's jobs do (src/api/uploadHandlers.ts): rows first, at wakeSeq 0, then one wake message per job.
 */
import { isTerminal, type UploadJob } from "../core/job.js";
import type { PendingMirrorJob } from "../core/mirrorPorts.js";
import type { Clock } from "../core/ports.js";
import type { JobStore, WakeQueue } from "../core/storePorts.js";
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
  ) {}

  async submit(runId: string, jobs: readonly UploadJob[]): Promise<void> {
    for (let i = 0; i < jobs.length; i += BATCH) {
      const batch = jobs.slice(i, i + BATCH);
      await this.store.createJobs(batch);
      await Promise.all(
        batch.map((job) => this.wake.send({ jobId: job.jobId, wakeSeq: 0, requestId: runId }, 0)),
      );
    }
  }

  async check(pending: PendingMirrorJob): Promise<PendingState> {
    const stored = await this.store.get(pending.jobId, pending.runId);
    if (!stored) {
      return this.clock.now() - pending.createdAt > LOST_AFTER_MS ? { state: "gone" } : { state: "active" };
    }
    return isTerminal(stored.job.status) ? { state: "finished", job: stored.job } : { state: "active" };
  }
}
