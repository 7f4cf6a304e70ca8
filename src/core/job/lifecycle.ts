/**
 * Creating and reviving jobs: pure functions over the job model (src/core/job/job.ts), re-exported by engine.ts.
 */
import { AUTO_CHUNK_SIZE, DEFAULT_CHUNK_SIZE } from "../upload/chunkPlan.js";
import { EMPTY_HASH } from "./hashProgress.js";
import { isTerminal, type UploadJob } from "./job.js";

/**
 * What a caller decides about a new job: its identity and request fields as in {@link UploadJob}, the source
 * version when already known (else the first step takes it), and the creation time.
 */
export type NewJobInit = Pick<
  UploadJob,
  | "jobId"
  | "requestId"
  | "source"
  | "destination"
  | "conflictBehavior"
  | "chunkSize"
  | "simpleUploadMax"
  | "fingerprint"
  | "origin"
> & { readonly now: number };

/**
 * A new job. A chunk size of AUTO_CHUNK_SIZE (none set) starts at 10 MiB and is sized to the link from then on
 * (docs/upload.md "Chunk size"); any other size is fixed.
 */
export function newJob(init: NewJobInit): UploadJob {
  const auto = init.chunkSize === AUTO_CHUNK_SIZE;
  return {
    jobId: init.jobId,
    requestId: init.requestId,
    source: init.source,
    destination: init.destination,
    conflictBehavior: init.conflictBehavior,
    chunkSize: auto ? DEFAULT_CHUNK_SIZE : init.chunkSize,
    ...(auto ? { autoChunk: {} } : {}),
    simpleUploadMax: init.simpleUploadMax,
    ...(init.origin ? { origin: init.origin } : {}),
    ...(init.fingerprint ? { fingerprint: init.fingerprint } : {}),
    status: "queued",
    confirmedOffset: 0,
    hash: EMPTY_HASH,
    attempts: { retries: 0, sessions: 0, badRequestResyncs: 0, sourceRestarts: 0, steps: 0 },
    createdAt: init.now,
    updatedAt: init.now,
  };
}

/** Marks a job loaded from storage after a crash: its last fragment's fate is unknown, so ask first. */
export function resumeJob(job: UploadJob): UploadJob {
  return job.session && !isTerminal(job.status) ? { ...job, resyncPending: true } : job;
}

/**
 * A job that failed only because it ran out of retries still holds its session: a person retrying it (the CLI
 * run again) continues from the server's offset with a fresh retry budget instead of starting over.
 * Returns undefined for jobs that cannot be reopened that way.
 */
export function reopenFailedJob(job: UploadJob): UploadJob | undefined {
  if (job.status !== "failed" || !job.session) return undefined;
  return {
    ...job,
    status: "uploading",
    lastError: undefined,
    resyncPending: true,
    // A person asked again: a fresh retry and request budget (src/core/upload/pacing.ts).
    attempts: { ...job.attempts, retries: 0, badRequestResyncs: 0, requests: 0, idleSteps: 0, notFound: 0 },
  };
}
