/**
 * How a step's decision becomes the next job state. Shared by every step kind so retry budgets, session caps
 * and cancellation behave the same everywhere (docs/design.md "classify errors by what to do next").
 */

import { EMPTY_HASH } from "../job/hashProgress.js";
import type { JobError, JobEvent, StepResult, UploadJob, UploadResult } from "../job/job.js";
import type { Decision } from "./errorClassification.js";
import { jobError } from "./errorClassification.js";
import type { EnginePolicy } from "./policy.js";

export interface OutcomeDeps {
  readonly now: number;
  readonly policy: EnginePolicy;
  /** Best-effort DELETE of the job's upload session; never throws. */
  readonly cancelSession: (job: UploadJob) => Promise<void>;
}

export function touch(job: UploadJob, now: number): UploadJob {
  return {
    ...job,
    updatedAt: now,
    nextWakeAt: now,
    attempts: { ...job.attempts, steps: job.attempts.steps + 1 },
  };
}

export function proceed(job: UploadJob, events: JobEvent[] = []): StepResult {
  return { job, next: { type: "continue" }, events };
}

export function complete(job: UploadJob, result: UploadResult, events: JobEvent[] = []): StepResult {
  const done: UploadJob = {
    ...job,
    status: "completed",
    result,
    session: undefined,
    resyncPending: undefined,
    missingRangeEnd: undefined,
    lastError: undefined,
    committedItemId: undefined,
    sessionBusySince: undefined,
  };
  return { job: done, next: { type: "done", result }, events: [...events, { type: "completed", result }] };
}

/**
 * Ends the job as failed. A session it holds is deleted (one live session per file on OneDrive for Business and
 * SharePoint: an abandoned one blocks every new upload of the file until it expires, docs/graph-protocol.md), unless
 * `keepSession`: a job that only ran out of retries keeps it where a person can resume it (policy).
 */
export async function failJob(
  job: UploadJob,
  error: JobError,
  deps: OutcomeDeps,
  keepSession = false,
  events: JobEvent[] = [],
): Promise<StepResult> {
  const deleteSession = !keepSession && job.session !== undefined;
  if (deleteSession) await deps.cancelSession(job);
  const failed: UploadJob = {
    ...job,
    status: "failed",
    lastError: error,
    ...(deleteSession ? { session: undefined, resyncPending: undefined } : {}),
  };
  return { job: failed, next: { type: "failed", error }, events: [...events, { type: "failed", error }] };
}

/** A wait that is not a failure (a busy file, a hash not computed yet): no retry budget spent. */
export function waitFor(job: UploadJob, error: JobError, delayMs: number, deps: OutcomeDeps): StepResult {
  return {
    job: { ...job, lastError: error, nextWakeAt: deps.now + delayMs },
    next: { type: "wait", ms: delayMs, reason: error.code },
    events: [{ type: "retrying", reason: error.code, delayMs, error }],
  };
}

/** Drops the session and everything tied to it: the next step creates a new session and starts at byte 0. */
export function withoutSession(job: UploadJob): UploadJob {
  return {
    ...job,
    session: undefined,
    confirmedOffset: 0,
    hash: EMPTY_HASH,
    resyncPending: undefined,
    missingRangeEnd: undefined,
  };
}

export async function applyDecision(
  job: UploadJob,
  decision: Decision,
  deps: OutcomeDeps,
): Promise<StepResult> {
  switch (decision.action) {
    case "fail":
      return failJob(job, decision.error, deps);
    case "use-session": {
      const size = job.fingerprint?.size ?? 0;
      if (size === 0) return failJob(job, decision.error, deps);
      return proceed({ ...job, simpleUploadMax: 0, lastError: decision.error });
    }
    case "restart-session":
      return restartSession(job, decision.error, deps, { gone: decision.gone });
    case "retry-now":
    case "retry-after": {
      const retries = job.attempts.retries + 1;
      if (retries > deps.policy.maxRetries) {
        const keep = deps.policy.keepSessionOnGiveUp;
        const error: JobError = {
          ...decision.error,
          message:
            `gave up after ${deps.policy.maxRetries} retries without progress: ${decision.error.message}; ` +
            (keep && job.session
              ? "retrying the upload resumes it while its session lasts"
              : "retrying the upload starts it again"),
        };
        // Kept only where a person can resume it (policy); otherwise deleted, so it blocks no later upload.
        return failJob(job, error, deps, keep);
      }
      const delayMs = decision.action === "retry-after" ? decision.delayMs : 0;
      const next: UploadJob = {
        ...job,
        attempts: {
          ...job.attempts,
          retries,
          badRequestResyncs: job.attempts.badRequestResyncs + (decision.error.code === "bad-request" ? 1 : 0),
        },
        lastError: decision.error,
        resyncPending: job.session !== undefined && (decision.resync || job.resyncPending === true),
        nextWakeAt: deps.now + delayMs,
      };
      const events: JobEvent[] = [
        { type: "retrying", reason: decision.error.code, delayMs, error: decision.error },
      ];
      const throttle =
        decision.action === "retry-after" && decision.throttleDrive && job.target
          ? { throttleDriveUntil: { driveId: job.target.driveId, until: deps.now + delayMs } }
          : {};
      return {
        job: next,
        next: delayMs > 0 ? { type: "wait", ms: delayMs, reason: decision.error.code } : { type: "continue" },
        events,
        ...throttle,
      };
    }
  }
}

/**
 * New session from byte 0 with a reset hash (docs/graph-protocol.md: session lost or URL expired), capped by policy. A
 * session the server has not declared gone (`gone: false`: our own expiry check, a server that lost bytes) is
 * deleted first: the service keeps one live session per file, so a new one would be refused while it lives.
 */
export async function restartSession(
  job: UploadJob,
  error: JobError,
  deps: OutcomeDeps,
  options: { readonly gone: boolean },
): Promise<StepResult> {
  if (!options.gone && job.session) await deps.cancelSession(job);
  if (job.attempts.sessions >= deps.policy.maxSessions) {
    const capped = jobError(
      "session-limit",
      `the upload session was lost ${job.attempts.sessions} times (last: ${error.message}); ` +
        "SharePoint may be refusing sessions for this file: check the file is not locked, then retry later",
    );
    return failJob(withoutSession(job), { ...error, ...capped }, deps);
  }
  return proceed({ ...withoutSession(job), lastError: error });
}
