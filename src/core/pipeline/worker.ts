/**
 * One queue delivery = at most one step of one job (docs/design.md "The shape"; docs/pipeline.md "The worker").
 *
 * Order, for crash safety: load the row; drop unknown, terminal, stale (wakeSeq mismatch) and duplicate
 * (lease held) deliveries without Graph I/O; check the drive's throttle; take the lease with the row's ETag;
 * run one step under a deadline; write the result with the lease's ETag (a lost race throws the result away),
 * releasing the lease and bumping wakeSeq when a continuation is due; only then hand the continuation back for
 * sending. A crash after the row is written and before the continuation is sent leaves an active, unleased,
 * overdue row: the sweeper re-wakes it.
 *
 * With a row cache (one per instance), a wake whose job this process just scheduled starts from the row it
 * wrote instead of reading it; the lease write's ETag proves that row current, and any doubt means a read.
 *
 * A wake that finds a live lease is not simply dropped: its holder may have died mid-step, and nothing else
 * would wake the job before the sweeper (issue 16). It bumps wakeSeq and schedules one delayed wake for the
 * lease's end (src/core/pipeline/leaseWait.ts); the holder, if alive, accepts that bump when it writes its result.
 */

import { isTerminal, type StepResult, type SupersedingJob, type UploadJob } from "../job/job.js";
import { ConcurrencyError, type StoredJob, type WakeMessage } from "../ports/stores.js";
import { claimDestination } from "./destinationClaim.js";
import { driveOf, leased, leaseIsLive, released, wakeMessageFor } from "./lease.js";
import { onlyFlagsRaised, wakeAtLeaseEnd } from "./leaseWait.js";
import { silentLog } from "./pipelineLog.js";
import type { Continuation, Deadline, DropReason, WakeResult, WorkerDeps } from "./workerContract.js";

export type {
  Continuation,
  Deadline,
  DropReason,
  StepRunner,
  WakeResult,
  WorkerDeps,
} from "./workerContract.js";

/** Reads a job's row again and handles the wake from it (after a lost race, or instead of a cached row). */
async function wakeFromStore(message: WakeMessage, deps: WorkerDeps, attempt = 0): Promise<WakeResult> {
  return wakeWithRow(
    await deps.store.get(message.jobId, message.requestId),
    message,
    deps,
    undefined,
    attempt,
  );
}

export async function processWake(message: WakeMessage, deps: WorkerDeps): Promise<WakeResult> {
  const cached = deps.rowCache?.take(message.jobId, message.wakeSeq);
  if (!cached) return wakeFromStore(message, deps);
  return wakeWithRow(cached, message, deps, async () => {
    // Someone wrote the row since this process did (a cancel request, another instance, the sweeper).
    (deps.log ?? silentLog)({ event: "cached-row-changed", jobId: message.jobId, wakeSeq: message.wakeSeq });
    return wakeFromStore(message, deps);
  });
}

/**
 * Steps 2-4 of a wake (drop, throttle, lease; stepUnderLease does the rest), from a row just read or from the
 * row this process last wrote for the job (then `rereadIfChanged` is given). A cached row is trusted only as far as its ETag: the first conditional write (the
 * lease, or a throttle reschedule) proves it current; when that write loses, or the cached row would drop the
 * wake, the row is read and the wake starts again from it, exactly as without a cache.
 */
async function wakeWithRow(
  row: StoredJob | undefined,
  message: WakeMessage,
  deps: WorkerDeps,
  rereadIfChanged?: () => Promise<WakeResult>,
  attempt = 0,
): Promise<WakeResult> {
  const log = deps.log ?? silentLog;
  const ctx: WakeContext = { jobId: message.jobId, requestId: message.requestId, wakeSeq: message.wakeSeq };
  const drop = (reason: DropReason): WakeResult => {
    log({ event: "wake-dropped", reason, ...ctx });
    return { kind: "dropped", reason };
  };
  // Before the lease is taken, only a row read from the store may drop a wake, never a cached one.
  const dropUnlessCached = (reason: DropReason): Promise<WakeResult> | WakeResult =>
    rereadIfChanged ? rereadIfChanged() : drop(reason);

  if (!row) return dropUnlessCached("unknown-job");
  if (isTerminal(row.job.status)) return dropUnlessCached("terminal");
  if (row.wakeSeq !== message.wakeSeq) return dropUnlessCached("stale");
  const now = deps.clock.now();
  if (leaseIsLive(row, now)) {
    if (rereadIfChanged) return rereadIfChanged();
    return wakeAtLeaseEnd(
      row,
      message,
      deps,
      attempt,
      () => drop("leased"),
      (next) => wakeFromStore(message, deps, next),
    );
  }

  if (!row.cancelRequested) {
    const throttled = await rescheduleIfThrottled(row, deps);
    if (throttled === "lost-race") return dropUnlessCached("lost-race");
    if (throttled) {
      log({ event: "wake-throttled", delayMs: throttled.delayMs, ...ctx });
      return { kind: "throttled", continuation: throttled };
    }
  }

  // A lease that was never released means the previous worker died mid-step.
  const takeover = row.leaseOwner !== undefined;
  const job = takeover && deps.resume ? deps.resume(row.job) : row.job;
  const owner = deps.newLeaseId?.() ?? crypto.randomUUID();
  let mine: StoredJob;
  try {
    mine = await deps.store.replace(leased({ ...row, job }, owner, deps.clock, deps.leaseMs), row.etag);
  } catch (err: unknown) {
    if (err instanceof ConcurrencyError) return dropUnlessCached("lost-race");
    throw err;
  }
  if (takeover) log({ event: "lease-takeover", ...ctx });
  return stepUnderLease(mine, deps, ctx, drop);
}

/** Which wake a log line is about. */
interface WakeContext {
  readonly jobId: string;
  readonly requestId: string | undefined;
  readonly wakeSeq: number;
}

/**
 * Steps 5-8 of a wake, with the lease held: claim the destination before a first step, run one step (or cancel
 * without I/O), write the result on the lease's ETag, and pass a drive's throttle on even when the result is
 * thrown away.
 */
async function stepUnderLease(
  leasedRow: StoredJob,
  deps: WorkerDeps,
  ctx: WakeContext,
  drop: (reason: DropReason) => WakeResult,
): Promise<WakeResult> {
  const log = deps.log ?? silentLog;
  let mine = leasedRow;
  const lostClaim = await claimBeforeFirstStep(mine, deps);
  if (lostClaim) mine = { ...mine, cancelRequested: true, supersededBy: lostClaim };
  const result = lostClaim ? cancelledWithoutIo(mine.job, deps.clock.now()) : await runUnderLease(mine, deps);
  const outcome = await writeResult(mine, result, deps);
  const written = outcome?.written;
  // The next wake of this job (the continuation below) may start from this row instead of reading it.
  if (written && outcome.continuation) deps.rowCache?.store(written);
  // A 429 is a fact about the drive even when this worker's result is thrown away.
  if (result.throttleDriveUntil) {
    await deps.throttle.block(result.throttleDriveUntil.driveId, result.throttleDriveUntil.until);
    log({
      event: "drive-throttled",
      driveId: result.throttleDriveUntil.driveId,
      until: result.throttleDriveUntil.until,
      ...ctx,
    });
  }
  if (!written) return drop("lost-lease");
  log({
    event: "step-written",
    ...ctx,
    status: written.job.status,
    confirmedOffset: written.job.confirmedOffset,
    nextWakeSeq: written.wakeSeq,
    events: result.events.map((event) => event.type),
    continuation: outcome.continuation ? ("now" in outcome.continuation ? "now" : "later") : "none",
  });
  return {
    kind: "stepped",
    job: written.job,
    ...(outcome.continuation ? { continuation: outcome.continuation } : {}),
  };
}

/** A throttled drive: move the wake to when the block ends, without taking the lease or calling Graph. */
async function rescheduleIfThrottled(
  row: StoredJob,
  deps: WorkerDeps,
): Promise<{ later: WakeMessage; delayMs: number } | "lost-race" | undefined> {
  const driveId = driveOf(row);
  if (!driveId) return undefined;
  const until = await deps.throttle.blockedUntil(driveId);
  const now = deps.clock.now();
  if (until <= now) return undefined;
  try {
    const written = await deps.store.replace(
      { ...released(row), job: { ...row.job, nextWakeAt: until }, wakeSeq: row.wakeSeq + 1, ...leaseOf(row) },
      row.etag,
    );
    return { later: wakeMessageFor(written), delayMs: until - now };
  } catch (err: unknown) {
    if (err instanceof ConcurrencyError) return "lost-race";
    throw err;
  }
}

/** Keeps an expired lease on the row, so the next worker still knows the previous one died mid-step. */
function leaseOf(row: StoredJob): Pick<StoredJob, "leaseOwner" | "leaseUntil"> {
  return row.leaseOwner !== undefined ? { leaseOwner: row.leaseOwner, leaseUntil: row.leaseUntil ?? 0 } : {};
}

async function runUnderLease(mine: StoredJob, deps: WorkerDeps): Promise<StepResult> {
  const deadline = (deps.deadline ?? timerDeadline)(deps.stepDeadlineMs);
  try {
    return mine.cancelRequested
      ? await deps.cancelJob(mine.job, deadline.signal)
      : await deps.runStep(mine.job, deadline.signal);
  } catch (err: unknown) {
    // The step itself broke (not a classified Graph outcome). Release the lease so the redelivery (host
    // visibilityTimeout) can try again at once; the fragment's fate is unknown, so ask before resending.
    const job = deps.resume ? deps.resume(mine.job) : mine.job;
    try {
      await deps.store.replace({ ...released(mine), job }, mine.etag);
    } catch (releaseErr: unknown) {
      if (!(releaseErr instanceof ConcurrencyError))
        (deps.log ?? silentLog)({ event: "lease-release-failed", jobId: mine.job.jobId });
    }
    throw err;
  } finally {
    deadline.dispose();
  }
}

interface PlannedRow {
  readonly row: Omit<StoredJob, "etag">;
  readonly continuation?: Continuation;
}

/**
 * A job's first step claims its destination item (the submitter did too, unless it died first). Returns the
 * newer job that holds the item, when there is one: then this job must not upload at all.
 */
async function claimBeforeFirstStep(mine: StoredJob, deps: WorkerDeps): Promise<SupersedingJob | undefined> {
  if (!deps.claims || mine.job.status !== "queued" || mine.cancelRequested) return undefined;
  const outcome = await claimDestination(mine.job, { ...deps.claims, jobs: deps.store, clock: deps.clock });
  return outcome.kind === "superseded"
    ? { requestId: outcome.by.requestId, jobId: outcome.by.jobId }
    : undefined;
}

/** A queued job has no session yet: cancelling it needs no Graph call. */
function cancelledWithoutIo(job: UploadJob, now: number): StepResult {
  return { job: { ...job, status: "cancelled", updatedAt: now }, next: { type: "cancelled" }, events: [] };
}

/** The row to write after a step, and the continuation it calls for. */
function nextRow(mine: StoredJob, result: StepResult, now: number): PlannedRow {
  const job = withCanceller(
    endedBySupersede(withTerminalStatus(result), mine.supersededBy),
    mine.cancelledBy,
  );
  const base = released(mine);
  if (isTerminal(job.status)) return { row: { ...base, job: { ...job, nextWakeAt: undefined } } };
  const cancelPending = mine.cancelRequested === true;
  const delayMs = !cancelPending && result.next.type === "wait" ? Math.max(0, result.next.ms) : 0;
  const row = { ...base, job: { ...job, nextWakeAt: now + delayMs }, wakeSeq: mine.wakeSeq + 1 };
  const message = wakeMessageFor(row);
  return { row, continuation: delayMs > 0 ? { later: message, delayMs } : { now: message } };
}

/** The step's verdict, made visible in the status even if the step left it implicit. */
function withTerminalStatus(result: StepResult): UploadJob {
  const { job, next } = result;
  switch (next.type) {
    case "done":
      return job.status === "completed" ? job : { ...job, status: "completed", result: next.result };
    case "failed":
      return job.status === "failed" ? job : { ...job, status: "failed", lastError: next.error };
    case "cancelled":
      return job.status === "cancelled" ? job : { ...job, status: "cancelled" };
    default:
      return job;
  }
}

/** A job cancelled through DELETE /api/uploads/{id} names who asked (src/core/pipeline/cancelRequest.ts). */
function withCanceller(job: UploadJob, by: string | undefined): UploadJob {
  return by && job.status === "cancelled" ? { ...job, cancelledBy: by } : job;
}

/**
 * A job a newer request superseded ends `superseded`, naming that request, whether its step cancelled it or, in
 * the race with the supersede request, completed it: the newer job's content replaces what it committed, so it
 * must not report `completed` (issue 16: never two completed jobs for one item). A job that failed on its own
 * stays failed.
 */
function endedBySupersede(job: UploadJob, by: SupersedingJob | undefined): UploadJob {
  if (!by || (job.status !== "cancelled" && job.status !== "completed")) return job;
  return {
    ...job,
    status: "superseded",
    supersededBy: by,
    lastError: {
      code: "superseded",
      message: `a newer upload to the same destination (request ${by.requestId}, job ${by.jobId}) replaced this one`,
    },
  };
}

/**
 * Writes the step's result conditionally on the lease's ETag. A lease holder accepts foreign writes that only
 * raise flags (a cancellation or supersede request) or bump wakeSeq (a duplicate that scheduled a wake for the
 * lease's end, src/core/pipeline/leaseWait.ts): it plans the row again on top of them and writes on the new ETag. Any
 * other change means the lease was lost: the result is thrown away (returns undefined).
 */
async function writeResult(
  mine: StoredJob,
  result: StepResult,
  deps: WorkerDeps,
): Promise<{ readonly written: StoredJob; readonly continuation?: Continuation } | undefined> {
  let basis = mine;
  for (let attempt = 0; attempt < 3; attempt++) {
    const planned = nextRow(basis, result, deps.clock.now());
    try {
      const written = await deps.store.replace(planned.row, basis.etag);
      return { written, ...(planned.continuation ? { continuation: planned.continuation } : {}) };
    } catch (err: unknown) {
      if (!(err instanceof ConcurrencyError)) throw err;
      const fresh = await deps.store.get(mine.job.jobId, mine.job.requestId);
      if (!fresh || !onlyFlagsRaised(mine, fresh)) return undefined;
      basis = {
        ...mine,
        etag: fresh.etag,
        wakeSeq: fresh.wakeSeq,
        ...(fresh.cancelRequested ? { cancelRequested: true } : {}),
        ...(fresh.supersededBy ? { supersededBy: fresh.supersededBy } : {}),
        ...(fresh.cancelledBy ? { cancelledBy: fresh.cancelledBy } : {}),
      };
    }
  }
  return undefined;
}

function timerDeadline(ms: number): Deadline {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`step deadline of ${ms} ms passed`)), ms);
  timer.unref?.();
  return { signal: controller.signal, dispose: () => clearTimeout(timer) };
}
