/**
 * The JobStore rules the two stores that keep their rows in a Map share (memoryJobStore.ts, fileJobStore.ts):
 * createJobs' all-or-nothing checks, the point read, and the two listings. The Table adapter does the same with
 * queries (tableJobStore.ts); the shared contract suite holds all three to one behaviour.
 */
import { isTerminal, type UploadJob } from "../core/job/job.js";
import type { StoredJob } from "../core/ports/stores.js";
import { toEntity } from "./jobRow.js";

/** Throws before anything is written when one job of the batch could not be: all or nothing, like a transaction. */
export function checkNewJobs(rows: ReadonlyMap<string, StoredJob>, jobs: readonly UploadJob[]): void {
  const first = jobs[0];
  if (!first) return;
  if (jobs.some((job) => job.requestId !== first.requestId))
    throw new Error("createJobs: every job of one call must belong to the same request");
  for (const job of jobs) {
    toEntity({ job, wakeSeq: 0 });
    if (rows.has(job.jobId)) throw new Error(`a job of request ${first.requestId} already exists`);
  }
  if (new Set(jobs.map((job) => job.jobId)).size !== jobs.length)
    throw new Error(`a job of request ${first.requestId} already exists`);
}

/** A copy of the row, when it exists and belongs to `requestId` (if given). */
export function rowOf(
  rows: ReadonlyMap<string, StoredJob>,
  jobId: string,
  requestId?: string,
): StoredJob | undefined {
  const row = rows.get(jobId);
  if (!row || (requestId !== undefined && row.job.requestId !== requestId)) return undefined;
  return structuredClone(row);
}

export function rowsOfRequest(rows: ReadonlyMap<string, StoredJob>, requestId: string): StoredJob[] {
  return [...rows.values()]
    .filter((row) => row.job.requestId === requestId)
    .map((row) => structuredClone(row));
}

/** Unfinished, unleased jobs whose wake time has passed: what the sweeper wakes again. */
export function overdueRows(rows: ReadonlyMap<string, StoredJob>, now: number, limit: number): StoredJob[] {
  return [...rows.values()]
    .filter(
      (row) =>
        !isTerminal(row.job.status) &&
        (row.job.nextWakeAt ?? row.job.updatedAt) < now &&
        (row.leaseUntil ?? 0) < now,
    )
    .slice(0, limit)
    .map((row) => structuredClone(row));
}
