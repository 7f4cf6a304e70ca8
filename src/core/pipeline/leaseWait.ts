/**
 * A wake that finds another worker's live lease (issue 16). The holder may be mid-step, or it may have died
 * there (a SIGKILL, a crashed instance): then only its lease's end frees the job. Dropping the wake, as the
 * worker once did, left the job to the sweeper (lease + grace + a sweeper period, about 10 minutes); instead the
 * wake is moved to the lease's end.
 *
 * Idempotent through wakeSeq: the first such wake bumps the row's wakeSeq (a conditional write) and sends one
 * delayed message for the new value, so every other copy of the old message is stale and dropped. The holder,
 * if alive, accepts the bump when it writes its result (worker.ts `writeResult`) and writes a later wakeSeq
 * still, which makes the delayed message stale in turn. A crash between the bump and the send leaves an active
 * row whose lease expires: the sweeper's case, as before.
 */

import { ConcurrencyError, type StoredJob, type WakeMessage } from "../ports/stores.js";
import { wakeMessageFor, withoutEtag } from "./lease.js";
import { silentLog } from "./pipelineLog.js";
import type { WakeResult, WorkerDeps } from "./workerContract.js";

/**
 * Sent this long after the lease's end: queue delays are whole seconds (rounded up), and another instance's
 * clock may run a little behind ours; a wake that still finds the lease live simply waits once more.
 */
export const LEASE_END_SLACK_MS = 1_000;

/** Conditional writes tried before giving up on the row (it keeps changing: someone else is on it). */
const MAX_ATTEMPTS = 3;

export async function wakeAtLeaseEnd(
  row: StoredJob,
  message: WakeMessage,
  deps: WorkerDeps,
  attempt: number,
  /** Drops the wake (the row kept changing under every attempt). */
  giveUp: () => WakeResult,
  /** Reads the row again and handles the wake from it, as attempt `attempt + 1`. */
  rereadAndRetry: (attempt: number) => Promise<WakeResult>,
): Promise<WakeResult> {
  if (attempt >= MAX_ATTEMPTS) return giveUp();
  const now = deps.clock.now();
  const delayMs = Math.max(0, (row.leaseUntil ?? now) - now) + LEASE_END_SLACK_MS;
  let written: StoredJob;
  try {
    // Only wakeSeq changes: the holder recognises this write as harmless (onlyFlagsRaised).
    written = await deps.store.replace({ ...withoutEtag(row), wakeSeq: row.wakeSeq + 1 }, row.etag);
  } catch (err: unknown) {
    if (!(err instanceof ConcurrencyError)) throw err;
    // The holder wrote its result, or another copy was first: decide again from the row as it is now.
    return rereadAndRetry(attempt + 1);
  }
  (deps.log ?? silentLog)({
    event: "wake-deferred",
    reason: "leased",
    jobId: message.jobId,
    requestId: message.requestId,
    wakeSeq: message.wakeSeq,
    nextWakeSeq: written.wakeSeq,
    delayMs,
  });
  return { kind: "deferred", continuation: { later: wakeMessageFor(written), delayMs } };
}

/**
 * Whether `fresh` differs from the row the lease holder wrote (`mine`) only by writes a holder accepts: a
 * raised cancellation flag and a bumped wakeSeq. Same lease, same job: nobody took the job over.
 */
export function onlyFlagsRaised(mine: StoredJob, fresh: StoredJob): boolean {
  return (
    fresh.leaseOwner === mine.leaseOwner &&
    fresh.leaseUntil === mine.leaseUntil &&
    fresh.wakeSeq >= mine.wakeSeq &&
    (fresh.cancelRequested === true || mine.cancelRequested !== true) &&
    JSON.stringify(fresh.job) === JSON.stringify(mine.job)
  );
}
