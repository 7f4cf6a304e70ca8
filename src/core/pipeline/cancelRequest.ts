/**
 * A cancellation request for one job (DELETE /api/uploads/{id}, or a newer request for the same destination
 * item: src/core/pipeline/destinationClaim.ts). It raises the row's `cancelRequested` flag, which the queue worker
 * honours by running the engine's cancel (deleting the open upload session) under its lease
 * (src/core/pipeline/worker.ts); a supersede request also names the newer job, and the job then ends `superseded`.
 *
 * - Job idle (no live lease): the flag is written together with a new wakeSeq, and a wake for that wakeSeq is
 *   sent now, so a job waiting out a long backoff is cancelled at once and its old delayed wake goes stale.
 * - Job leased (a worker is mid-step): only the flag is written; the worker keeps it when it writes its result
 *   and wakes the job at once (worker.ts `writeResult` / `nextRow`).
 * A DELETE under API_AUTH=entra also names its caller (`cancelledBy`), which the job carries once cancelled.
 * A crash between the write and the send is covered by the sweeper like any other wake.
 */
import { isTerminal, type SupersedingJob } from "../job/job.js";
import type { Clock } from "../ports/common.js";
import { ConcurrencyError, type JobStore, type StoredJob, type WakeQueue } from "../ports/stores.js";
import { leaseIsLive, wakeMessageFor, withoutEtag } from "./lease.js";

export interface CancelRequestDeps {
  readonly jobs: JobStore;
  readonly wake: WakeQueue;
  readonly clock: Clock;
}

export async function requestCancel(
  stored: StoredJob,
  deps: CancelRequestDeps,
  supersededBy?: SupersedingJob,
  cancelledBy?: string,
): Promise<void> {
  let row: StoredJob | undefined = stored;
  for (let attempt = 0; attempt < 5 && row; attempt++) {
    if (isTerminal(row.job.status)) return;
    // Already asked; a supersede request still adds the newer job's name to a plain cancellation.
    if (row.cancelRequested && (!supersededBy || row.supersededBy)) return;
    const idle = !leaseIsLive(row, deps.clock.now());
    const next = {
      ...withoutEtag(row),
      cancelRequested: true,
      ...(supersededBy ? { supersededBy } : {}),
      ...(cancelledBy && !row.cancelledBy ? { cancelledBy } : {}),
      ...(idle ? { wakeSeq: row.wakeSeq + 1, job: { ...row.job, nextWakeAt: deps.clock.now() } } : {}),
    };
    try {
      const written = await deps.jobs.replace(next, row.etag);
      if (idle) await deps.wake.send(wakeMessageFor(written), 0);
      return;
    } catch (err: unknown) {
      if (!(err instanceof ConcurrencyError)) throw err;
      row = await deps.jobs.get(row.job.jobId, row.job.requestId);
    }
  }
  if (row) throw new Error(`job ${row.job.jobId} kept changing; cancellation was not recorded`);
}
