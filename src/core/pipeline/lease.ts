/**
 * The lease that makes "at most one worker does I/O for a job at a time" hold (docs/design.md invariant 2). A lease is
 * taken and released by conditional writes on the row's ETag; a lease past `leaseUntil` is free, which lets
 * another worker take over from one that crashed. A worker whose final write loses the race throws its result
 * away: the ETag, not the clock, is the final judge.
 */
import type { Clock } from "../ports/common.js";
import type { StoredJob, WakeMessage } from "../ports/stores.js";

export function leaseIsLive(row: StoredJob, now: number): boolean {
  return row.leaseOwner !== undefined && (row.leaseUntil ?? 0) > now;
}

/** The row as written when a worker takes the lease. */
export function leased(
  row: StoredJob,
  owner: string,
  clock: Clock,
  leaseMs: number,
): Omit<StoredJob, "etag"> {
  return { ...withoutEtag(row), leaseOwner: owner, leaseUntil: clock.now() + leaseMs };
}

/** The row without its ETag and lease: what a result write or a reschedule starts from. */
export function released(row: StoredJob): Omit<StoredJob, "etag" | "leaseOwner" | "leaseUntil"> {
  const { etag: _etag, leaseOwner: _owner, leaseUntil: _until, ...rest } = row;
  return rest;
}

export function withoutEtag(row: StoredJob): Omit<StoredJob, "etag"> {
  const { etag: _etag, ...rest } = row;
  return rest;
}

/** The wake message that belongs to a row's current wakeSeq. */
export function wakeMessageFor(row: Pick<StoredJob, "job" | "wakeSeq">): WakeMessage {
  return { jobId: row.job.jobId, requestId: row.job.requestId, wakeSeq: row.wakeSeq };
}

/** The drive a job writes to, once known: the key of its throttling state. */
export function driveOf(row: StoredJob): string | undefined {
  const { job } = row;
  return job.target?.driveId ?? (job.destination.type === "drive" ? job.destination.driveId : undefined);
}
