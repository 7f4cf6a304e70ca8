/**
 * Two guards around every step, so that no path can storm the service or loop (docs/upload.md "Request budget
 * and pacing"), whatever the service answers:
 * - a hard request budget per job, `base + perChunk x fragments`: past it the job fails with `request-budget`;
 * - pacing: once two steps in a row have confirmed no new bytes, a step that would only ask again (the session
 *   status, the item, a new session) waits first (backoff with jitter), even where the step before asked to
 *   continue at once. Sending a fragment is not asking again: it may move bytes.
 * Both run on the CLI path and the queue path alike, because both call the engine's `step`.
 */

import type { JobError, StepResult, UploadJob } from "../job/job.js";
import { isTerminal } from "../job/job.js";
import type { GraphPort } from "../ports/graph.js";
import { backoffDelay } from "../shared/backoff.js";
import { DEFAULT_CHUNK_SIZE, uploadMethod } from "./chunkPlan.js";
import type { EnginePolicy } from "./policy.js";

/** Steps in a row without new bytes that may continue at once (prepare, then create a session, say). */
const FREE_IDLE_STEPS = 2;

export function requestBudget(job: UploadJob, policy: EnginePolicy): number {
  const size = job.fingerprint?.size ?? 0;
  // A size sized to the link may grow mid-upload: count fragments at no more than the 10 MiB it started at, so
  // the budget never shrinks below what the fragments already sent needed (chunkSizing.ts).
  const chunk = job.autoChunk ? Math.min(job.chunkSize, DEFAULT_CHUNK_SIZE) : job.chunkSize;
  const fragments = Math.max(1, Math.ceil(size / Math.max(1, chunk)));
  return policy.requestBudget.base + policy.requestBudget.perChunk * fragments;
}

export function budgetExceeded(job: UploadJob, policy: EnginePolicy): JobError | undefined {
  const used = job.attempts.requests ?? 0;
  const budget = requestBudget(job, policy);
  if (used < budget) return undefined;
  const last = job.lastError ? ` (last: ${job.lastError.code}: ${job.lastError.message})` : "";
  return {
    code: "request-budget",
    message:
      `stopped after ${used} requests to Microsoft Graph for this file, its budget${last}; ` +
      "the service kept answering without the upload finishing: retry later, and report it if it recurs",
  };
}

/** A GraphPort that counts the calls made through it (each call is one request, retries are separate calls). */
export function countingGraph(graph: GraphPort): { readonly port: GraphPort; count(): number } {
  let calls = 0;
  const count = <T>(call: () => Promise<T>): Promise<T> => {
    calls++;
    return call();
  };
  const port: GraphPort = {
    resolveDrive: (d, s) => count(() => graph.resolveDrive(d, s)),
    simpleUpload: (t, b, c, s) => count(() => graph.simpleUpload(t, b, c, s)),
    createUploadSession: (t, o, s) => count(() => graph.createUploadSession(t, o, s)),
    uploadFragment: (u, f, s, o) => count(() => graph.uploadFragment(u, f, s, o)),
    getUploadStatus: (u, s) => count(() => graph.getUploadStatus(u, s)),
    cancelUploadSession: (u, s) => count(() => graph.cancelUploadSession(u, s)),
    getItem: (t, s) => count(() => graph.getItem(t, s)),
    commitUploadSession: (t, u, c, s) => count(() => graph.commitUploadSession(t, u, c, s)),
    // Several requests (a lookup per folder, a create where missing): the port says how many it made.
    ensureParentFolders: async (t, s) => {
      const made = await graph.ensureParentFolders(t, s);
      calls += made;
      return made;
    },
  };
  return { port, count: () => calls };
}

/** Whether the next step sends file bytes (a fragment or a simple upload) rather than only asking. */
function nextStepSendsBytes(job: UploadJob): boolean {
  if (!job.fingerprint || !job.target || job.status === "verifying") return false;
  if (uploadMethod(job.fingerprint.size, job.simpleUploadMax) === "simple") return true;
  return job.session !== undefined && job.resyncPending !== true;
}

/**
 * The step's result with its requests added to the job, and, when the steps so far have confirmed no new bytes
 * and the next one would only ask again, a wait in place of an immediate continue.
 */
export function paced(
  before: UploadJob,
  result: StepResult,
  requests: number,
  now: number,
  random: () => number,
  policy: EnginePolicy,
): StepResult {
  const job = result.job;
  const moved =
    job.confirmedOffset > before.confirmedOffset ||
    job.status === "completed" ||
    job.attempts.sessions > before.attempts.sessions;
  const idleSteps = moved || isTerminal(job.status) ? 0 : (job.attempts.idleSteps ?? 0) + 1;
  const counted: UploadJob = {
    ...job,
    attempts: { ...job.attempts, requests: (job.attempts.requests ?? 0) + requests, idleSteps },
  };
  if (result.next.type !== "continue" || idleSteps <= FREE_IDLE_STEPS || nextStepSendsBytes(job)) {
    return { ...result, job: counted };
  }
  const ms = backoffDelay(idleSteps - FREE_IDLE_STEPS - 1, random, policy.idleBackoff);
  return {
    ...result,
    job: { ...counted, nextWakeAt: now + ms },
    next: { type: "wait", ms, reason: job.lastError?.code ?? "no-progress" },
  };
}
