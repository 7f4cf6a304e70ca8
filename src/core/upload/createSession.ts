/**
 * Opening an upload session (docs/graph-protocol.md "Upload sessions"). Its own step, so the caller saves the
 * upload URL before any byte is sent (docs/design.md "One session per file, owned by one job"). A refusal (409) is
 * a name conflict only under `fail` with an item at the path; otherwise another session holds the file (or it is
 * open in Office for the web) and the job waits for that to end. A 404 may mean missing parent folders, which are
 * created once.
 */
import { EMPTY_HASH } from "../job/hashProgress.js";
import type { JobEvent, ResolvedTarget, StepResult, UploadJob } from "../job/job.js";
import type { DriveItem } from "../ports/graph.js";
import { GraphFailure } from "../ports/graphFailure.js";
import { backoffDelay } from "../shared/backoff.js";
import { jobError } from "./errorClassification.js";
import { failJob, proceed, restartSession, waitFor } from "./outcomes.js";
import type { StepRun } from "./stepRun.js";

export async function createSession(run: StepRun, target: ResolvedTarget): Promise<StepResult> {
  const job = run.job;
  if (job.attempts.sessions >= run.deps.policy.maxSessions) {
    return restartSession(job, job.lastError ?? jobError("session-limit", "no session"), run.outcome, {
      gone: true,
    });
  }
  try {
    const info = await run.deps.graph.createUploadSession(
      target,
      { conflict: job.conflictBehavior },
      run.signal,
    );
    const sessionNumber = job.attempts.sessions + 1;
    const recreated = job.attempts.sessions > 0;
    const events: JobEvent[] = [
      recreated
        ? { type: "session-recreated", reason: job.lastError?.code ?? "restart", sessionNumber }
        : { type: "session-created", sessionNumber },
    ];
    const next: UploadJob = {
      ...job,
      status: "uploading",
      session: {
        uploadUrl: info.uploadUrl,
        createdAt: run.now,
        expiresAt: info.expiresAt ?? run.now + run.deps.policy.sessionLifetimeMs,
      },
      confirmedOffset: 0,
      hash: EMPTY_HASH,
      resyncPending: undefined,
      missingRangeEnd: undefined,
      sessionBusySince: undefined,
      attempts: { ...job.attempts, sessions: sessionNumber, notFound: 0 },
    };
    return proceed(next, events);
  } catch (err: unknown) {
    if (err instanceof GraphFailure && err.status === 409) return sessionRefused(run, target, err);
    if (err instanceof GraphFailure && err.status === 404 && !job.attempts.foldersEnsured) {
      return createParentFolders(run, target, err);
    }
    return run.failure(job, err, "create-session");
  }
}

/**
 * 409 at createUploadSession. Under `fail` with an item at the path it is a name conflict. Otherwise another
 * session holds the file (OneDrive for Business and SharePoint keep one live session per file: one whose
 * answer was lost, or another program's), or the file is open in Office for the web (docs/graph-protocol.md). Neither is a
 * name conflict, and we do not hold that session's URL to delete it: wait for it to expire, with backoff,
 * up to a cap, then fail with what a person can do.
 */
async function sessionRefused(
  run: StepRun,
  target: ResolvedTarget,
  refusal: GraphFailure,
): Promise<StepResult> {
  const job = run.job;
  if (job.conflictBehavior === "fail") {
    let existing: DriveItem | undefined;
    try {
      existing = await run.deps.graph.getItem(target, run.signal);
    } catch (err: unknown) {
      return run.failure(job, err, "get-item");
    }
    if (existing) return run.failure(job, refusal, "create-session");
  }
  const policy = run.deps.policy;
  const since = job.sessionBusySince ?? run.now;
  const waited = run.now - since;
  const busy = {
    ...jobError(
      "session-busy",
      "another upload session holds this file (an earlier attempt whose answer was lost, or another " +
        "program's upload), or the file is open in Office for the web",
    ),
    httpStatus: 409,
    ...(refusal.graphCode !== undefined ? { graphCode: refusal.graphCode } : {}),
    ...(refusal.requestId !== undefined ? { requestId: refusal.requestId } : {}),
  };
  if (waited >= policy.sessionBusyMaxWaitMs) {
    const minutes = Math.round(waited / 60_000);
    return failJob(
      job,
      {
        ...busy,
        message:
          `${busy.message}; waited ${minutes} min for it to end. It expires on its own: close the file ` +
          "wherever it is open, then retry later",
      },
      run.outcome,
    );
  }
  const waits = job.lastError?.code === "session-busy" ? job.attempts.retries : 0;
  const delayMs = backoffDelay(waits, run.deps.random, policy.sessionBusyBackoff);
  const waiting: UploadJob = {
    ...job,
    sessionBusySince: since,
    attempts: { ...job.attempts, retries: waits + 1 },
  };
  return waitFor(
    waiting,
    { ...busy, message: `${busy.message}; waiting for it to end` },
    delayMs,
    run.outcome,
  );
}

/** createUploadSession answered 404: the parent folders may be missing (reports disagree). Create them once. */
async function createParentFolders(
  run: StepRun,
  target: ResolvedTarget,
  notFound: GraphFailure,
): Promise<StepResult> {
  const job = run.job;
  if (!target.path.slice(1).includes("/")) return run.failure(job, notFound, "create-session");
  try {
    await run.deps.graph.ensureParentFolders(target, run.signal);
  } catch (err: unknown) {
    return run.failure(job, err, "resolve");
  }
  return proceed({ ...job, attempts: { ...job.attempts, foldersEnsured: true } });
}
