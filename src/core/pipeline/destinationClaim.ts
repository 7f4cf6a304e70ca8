/**
 * One active job per destination item (issue 16; docs/pipeline.md "One job per destination"). The newer
 * request wins: when a job claims an item another active job holds, the older job is cancelled (its upload
 * session deleted by the engine's `cancelJob`, under its lease, like any cancellation) and ends `superseded`,
 * naming the newer request. Waiting behind the older job instead would upload content nobody wants any more
 * (the mirror and the HTTP caller both ask for the latest version) and keep the newer one waiting for it.
 *
 * The claim is a conditional write on the item's index row (DestinationIndex): whoever holds the ETag writes,
 * the loser reads again and decides again. "Newer" is the job's creation time (job id breaks a tie), so two
 * claimants agree on the winner whatever order their writes land in. The job rows and the index row live in
 * different partitions, so no transaction spans them: a job is claimed at submission, after its row is written
 * and before its first wake, and again by its first step (src/core/pipeline/worker.ts), which covers a submitter that
 * died in between.
 */

import { destinationItemKey } from "../job/destinationItem.js";
import { isTerminal, type UploadJob } from "../job/job.js";
import type { Clock } from "../ports/common.js";
import {
  ConcurrencyError,
  type DestinationHolder,
  type DestinationIndex,
  type JobStore,
  type WakeQueue,
} from "../ports/stores.js";
import { requestCancel } from "./cancelRequest.js";
import { type PipelineLog, silentLog } from "./pipelineLog.js";

export interface ClaimDeps {
  readonly destinations: DestinationIndex;
  readonly jobs: JobStore;
  readonly wake: WakeQueue;
  readonly clock: Clock;
  readonly log?: PipelineLog;
}

export type ClaimOutcome =
  | { readonly kind: "holder" }
  /** A newer job holds the item: this one must not upload. */
  | { readonly kind: "superseded"; readonly by: DestinationHolder };

const MAX_ATTEMPTS = 5;

export function holderOf(job: UploadJob): DestinationHolder {
  return { jobId: job.jobId, requestId: job.requestId, createdAt: job.createdAt };
}

/** Whether `a` was created after `b` (job id breaks a tie, so every claimant orders two jobs the same way). */
export function isNewer(a: DestinationHolder, b: DestinationHolder): boolean {
  return a.createdAt !== b.createdAt ? a.createdAt > b.createdAt : a.jobId > b.jobId;
}

export async function claimDestination(job: UploadJob, deps: ClaimDeps): Promise<ClaimOutcome> {
  const key = destinationItemKey(job.destination);
  const me = holderOf(job);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const entry = await deps.destinations.get(key);
    if (entry?.holder.jobId === me.jobId) return { kind: "holder" };
    if (entry && isNewer(entry.holder, me) && (await stillActive(entry.holder, deps)))
      return { kind: "superseded", by: entry.holder };
    try {
      await deps.destinations.put(key, me, entry?.etag);
    } catch (err: unknown) {
      if (err instanceof ConcurrencyError) continue;
      throw err;
    }
    if (entry) await supersede(entry.holder, me, deps);
    return { kind: "holder" };
  }
  throw new Error(`the destination of job ${job.jobId} kept changing hands; try again`);
}

/** A newer holder that already ended (completed, failed, cancelled) no longer blocks an item. */
async function stillActive(holder: DestinationHolder, deps: ClaimDeps): Promise<boolean> {
  const row = await deps.jobs.get(holder.jobId, holder.requestId);
  return row !== undefined && !isTerminal(row.job.status);
}

async function supersede(older: DestinationHolder, newer: DestinationHolder, deps: ClaimDeps): Promise<void> {
  const row = await deps.jobs.get(older.jobId, older.requestId);
  if (!row || isTerminal(row.job.status)) return;
  await requestCancel(row, deps, { requestId: newer.requestId, jobId: newer.jobId });
  (deps.log ?? silentLog)({
    event: "job-superseded",
    jobId: older.jobId,
    requestId: older.requestId,
    byJobId: newer.jobId,
    byRequestId: newer.requestId,
  });
}
