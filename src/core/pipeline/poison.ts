/**
 * A wake message the host gave up on (moved to `<queue>-poison` after host.json `maxDequeueCount` failed
 * deliveries) marks its job failed with a reason a person can act on (docs/design.md invariant 1), unless the job is
 * terminal or has moved on since (its wakeSeq changed: the sweeper or a later step woke it, and it is healthy).
 */
import { isTerminal, type JobError, type UploadJob } from "../job/job.js";
import type { Clock } from "../ports/common.js";
import { ConcurrencyError, type JobStore, type WakeMessage } from "../ports/stores.js";
import { leaseIsLive, released } from "./lease.js";
import { type PipelineLog, silentLog } from "./pipelineLog.js";

export interface PoisonDeps {
  readonly store: JobStore;
  readonly clock: Clock;
  /** Best-effort deletion of the job's upload session (never throws); runs only when no lease is live. */
  readonly deleteSession?: (job: UploadJob, signal: AbortSignal) => Promise<void>;
  readonly sessionDeadlineMs?: number;
  readonly log?: PipelineLog;
}

export type PoisonOutcome = "failed" | "unknown-job" | "terminal" | "stale";

const MAX_ATTEMPTS = 5;

export function poisonedError(jobId: string): JobError {
  return {
    code: "poisoned",
    message:
      `the upload step for job ${jobId} kept failing on every delivery (host.json maxDequeueCount) and was given up; ` +
      `look in the function logs (Application Insights) for the step function's errors with this job id, ` +
      "fix the cause, then submit the upload again",
  };
}

export async function handlePoison(message: WakeMessage, deps: PoisonDeps): Promise<PoisonOutcome> {
  const log = deps.log ?? silentLog;
  const ctx = { jobId: message.jobId, requestId: message.requestId, wakeSeq: message.wakeSeq };
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const row = await deps.store.get(message.jobId, message.requestId);
    if (!row) return "unknown-job";
    if (isTerminal(row.job.status)) return "terminal";
    if (row.wakeSeq !== message.wakeSeq) {
      log({ event: "poison-ignored", reason: "job-moved-on", ...ctx });
      return "stale";
    }
    const now = deps.clock.now();
    const lastError = poisonedError(message.jobId);
    const hadLiveLease = leaseIsLive(row, now);
    const failedJob: UploadJob = {
      ...row.job,
      status: "failed",
      lastError,
      updatedAt: now,
      nextWakeAt: undefined,
    };
    try {
      await deps.store.replace({ ...released(row), job: { ...failedJob, session: undefined } }, row.etag);
    } catch (err: unknown) {
      if (err instanceof ConcurrencyError) continue;
      throw err;
    }
    log({ event: "job-poisoned", ...ctx });
    // The job is terminal now, so no worker will touch its session again; if a lease was live, its holder
    // may still be mid-request, and invariant 2 forbids a second caller: leave the session to expire.
    if (row.job.session && !hadLiveLease && deps.deleteSession) {
      await deps.deleteSession(row.job, AbortSignal.timeout(deps.sessionDeadlineMs ?? 30_000));
    }
    return "failed";
  }
  throw new Error(`could not mark job ${message.jobId} as poisoned: the row kept changing`);
}
