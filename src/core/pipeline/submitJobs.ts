/**
 * The one way jobs enter the queue pipeline, for the HTTP API (src/api/uploadHandlers.ts) and mirror passes
 * (src/mirror/queueSink.ts) alike, so both follow the same rules:
 * 1. the rows first (all of one request in one transaction), at wakeSeq 0;
 * 2. each job claims its destination item, superseding an older active job there (src/core/pipeline/destinationClaim.ts);
 * 3. then one wake per job, the job id and nothing secret.
 * A crash after 1 leaves rows the sweeper wakes; their first step claims the item (src/core/pipeline/worker.ts).
 */

import type { UploadJob } from "../job/job.js";
import type { Clock } from "../ports/common.js";
import type { DestinationIndex, JobStore, WakeQueue } from "../ports/stores.js";
import { claimDestination } from "./destinationClaim.js";
import type { PipelineLog } from "./pipelineLog.js";

export interface SubmitDeps {
  readonly jobs: JobStore;
  readonly wake: WakeQueue;
  readonly clock: Clock;
  readonly destinations: DestinationIndex;
  readonly log?: PipelineLog;
}

export async function submitJobs(jobs: readonly UploadJob[], deps: SubmitDeps): Promise<void> {
  await deps.jobs.createJobs(jobs);
  // One after another: two jobs of one request for the same item must see each other's claim.
  for (const job of jobs) await claimDestination(job, deps);
  await Promise.all(
    jobs.map((job) => deps.wake.send({ jobId: job.jobId, wakeSeq: 0, requestId: job.requestId }, 0)),
  );
}
