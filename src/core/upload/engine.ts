/**
 * The step machine (docs/design.md "The shape"). `step(job)` does at most one chunk's worth of Graph I/O: resolve the
 * target, or create a session, or send one fragment, or ask the session status and resync, or verify. It never
 * sleeps: delays come back as `{ type: "wait" }` for the caller (CLI timers, queue visibility delays).
 *
 * Invariants kept here (docs/design.md, docs/graph-protocol.md):
 * - The server decides the offset: the next offset always comes from nextExpectedRanges.
 * - Persist-before-use: creating a session and sending the first fragment are separate steps, so the caller
 *   saves the upload URL before any bytes go out.
 * - `job.hash` covers exactly the bytes the server confirmed; the result is checked against the driveItem.
 *
 * This file is the public API and picks the phase a step runs (`execute`); each phase has a file of its own
 * (docs/upload.md "How the engine works"): prepare.ts, simpleUpload.ts, createSession.ts, sendFragment.ts,
 * serverRanges.ts (the server's ranges, the status check after a doubt), finish.ts (verification). What they
 * share is the StepRun (stepRun.ts).
 */

import { isTerminal, type JobError, type StepResult, type UploadJob } from "../job/job.js";
import { uploadMethod } from "./chunkPlan.js";
import { createSession } from "./createSession.js";
import { type EngineDeps, prefetchOf } from "./engineDeps.js";
import { jobError } from "./errorClassification.js";
import { verifyStored } from "./finish.js";
import { failJob, restartSession, touch } from "./outcomes.js";
import { budgetExceeded, countingGraph, paced } from "./pacing.js";
import { prepare } from "./prepare.js";
import { sendFragment } from "./sendFragment.js";
import { resync } from "./serverRanges.js";
import { sessionExpiry } from "./sessionExpiry.js";
import { simpleUpload } from "./simpleUpload.js";
import { StepRun } from "./stepRun.js";

export { type NewJobInit, newJob, reopenFailedJob, resumeJob } from "../job/lifecycle.js";
export type { EngineDeps } from "./engineDeps.js";

export async function step(job: UploadJob, deps: EngineDeps, signal?: AbortSignal): Promise<StepResult> {
  if (isTerminal(job.status)) return { job, next: terminalNext(job), events: [] };
  const now = deps.clock.now();
  const counting = countingGraph(deps.graph);
  const run = new StepRun(touch(job, now), { ...deps, graph: counting.port }, signal);
  const overBudget = budgetExceeded(job, deps.policy);
  const result = overBudget ? await giveUp(run, overBudget) : await execute(run);
  const stepped = paced(job, result, counting.count(), now, deps.random, deps.policy);
  // A read-ahead serves only a next step that follows at once; any wait or end is a doubt (prefetch.ts).
  if (stepped.next.type !== "continue") prefetchOf(deps)?.discard(job.jobId);
  return stepped;
}

export async function cancelJob(job: UploadJob, deps: EngineDeps, signal?: AbortSignal): Promise<StepResult> {
  if (isTerminal(job.status)) return { job, next: terminalNext(job), events: [] };
  const now = deps.clock.now();
  if (job.session) {
    try {
      await deps.graph.cancelUploadSession(job.session.uploadUrl, signal);
    } catch {
      // Best effort: an unreachable or already-gone session expires on its own (docs/graph-protocol.md).
    }
  }
  const cancelled: UploadJob = {
    ...touch(job, now),
    status: "cancelled",
    session: undefined,
    resyncPending: undefined,
  };
  return { job: cancelled, next: { type: "cancelled" }, events: [] };
}

function terminalNext(job: UploadJob): StepResult["next"] {
  if (job.status === "completed" && job.result) return { type: "done", result: job.result };
  if (job.status === "cancelled") return { type: "cancelled" };
  return {
    type: "failed",
    error: job.lastError ?? { code: "failed", message: "the job failed earlier" },
  };
}

/** Which phase this step runs, from what the job holds so far. */
async function execute(run: StepRun): Promise<StepResult> {
  const job = run.job;
  if (!job.fingerprint || !job.target) return prepare(run);
  const size = job.fingerprint.size;
  if (uploadMethod(size, job.simpleUploadMax) === "simple")
    return simpleUpload(run, job.target, job.fingerprint);
  if (job.status === "verifying") return verifyStored(run, job.target, job.fingerprint);
  if (!job.session) return createSession(run, job.target);
  const expired = sessionExpiry(job.session, run.now, run.deps.policy);
  // Our own clock says so, not the server: delete it before making a new one (restartSession).
  if (expired) return restartSession(job, jobError("session-expired", expired), run.outcome, { gone: false });
  if (job.resyncPending) return resync(run, job.target, job.fingerprint);
  return sendFragment(run, job.fingerprint);
}

/** The request budget ran out: fail with the reason (deleting the session, so it blocks nothing). */
function giveUp(run: StepRun, error: JobError): Promise<StepResult> {
  return failJob(run.job, error, run.outcome);
}
