/**
 * The source changed under a running job (docs/design.md invariant 1: fingerprint = size + mtime or ETag). The bytes
 * already sent belong to another version, so the session is cancelled and the job either starts over with the
 * new version (policy "restart", capped) or fails (policy "fail").
 */

import { EMPTY_HASH } from "../job/hashProgress.js";
import type { JobEvent, StepResult, UploadJob } from "../job/job.js";
import type { SourceChangedError } from "../ports/common.js";
import { jobError } from "./errorClassification.js";
import { failJob, type OutcomeDeps, proceed } from "./outcomes.js";

export async function afterSourceChange(
  job: UploadJob,
  err: SourceChangedError,
  deps: OutcomeDeps,
): Promise<StepResult> {
  const policy = deps.policy;
  const giveUp = policy.onSourceChange === "fail" || job.attempts.sourceRestarts >= policy.maxSourceRestarts;
  const events: JobEvent[] = [{ type: "source-changed", action: giveUp ? "fail" : "restart" }];
  if (giveUp) {
    const why =
      policy.onSourceChange === "fail"
        ? "the source changed during the upload"
        : `the source changed ${job.attempts.sourceRestarts + 1} times during the upload`;
    return failJob(
      job,
      jobError("source-changed", `${why}; upload it again once it is stable`),
      deps,
      false,
      events,
    );
  }
  await deps.cancelSession(job);
  const restarted: UploadJob = {
    ...job,
    fingerprint: undefined,
    session: undefined,
    confirmedOffset: 0,
    hash: EMPTY_HASH,
    resyncPending: undefined,
    missingRangeEnd: undefined,
    lastError: jobError("source-changed", err.message),
    attempts: { ...job.attempts, sourceRestarts: job.attempts.sourceRestarts + 1, sessions: 0, retries: 0 },
  };
  return proceed(restarted, events);
}
