/**
 * The server decides the offset (docs/design.md): every answer's nextExpectedRanges moves the job, whether it came
 * with a fragment's 202 or from asking the session's status after a doubt (resync), and the job's hash advances
 * over exactly the bytes it confirms. A first 404 on the upload URL is asked about again before the session
 * counts as gone (docs/graph-protocol.md).
 */
import type { InMemoryBytes } from "../job/hashProgress.js";
import type { JobEvent, ResolvedTarget, StepResult, UploadJob } from "../job/job.js";
import type { SourceFingerprint } from "../ports/common.js";
import type { GraphPort } from "../ports/graph.js";
import { GraphFailure } from "../ports/graphFailure.js";
import type { QuickXorState } from "../shared/quickXorHash.js";
import { parseExpectedRanges } from "../shared/ranges.js";
import { jobError } from "./errorClassification.js";
import { probeFinishedUpload } from "./finish.js";
import { applyDecision, proceed, restartSession } from "./outcomes.js";
import type { StepRun } from "./stepRun.js";

/** Moves the job to the offset the server reported, hashing the newly confirmed bytes. */
export async function applyServerRanges(
  run: StepRun,
  job: UploadJob,
  values: readonly string[],
  expiresAt: number | undefined,
  sent: InMemoryBytes | undefined,
  kind: "chunk" | "resynced",
  hashed?: QuickXorState,
): Promise<StepResult> {
  const fingerprint = job.fingerprint;
  const session = job.session;
  if (!fingerprint || !session) return proceed(job);
  const size = fingerprint.size;
  let ranges: ReturnType<typeof parseExpectedRanges>;
  try {
    ranges = parseExpectedRanges(values, size);
  } catch (err: unknown) {
    return run.failure(job, err, kind === "chunk" ? "fragment" : "status");
  }
  if (ranges.confirmed < job.hash.length) {
    // The server forgot bytes it had confirmed: nothing we hold can be trusted; start over (deleting the
    // session first: it is still alive, and the service allows one per file).
    return restartSession(
      job,
      jobError("server-regressed", "the server lost bytes it had confirmed"),
      run.outcome,
      { gone: false },
    );
  }
  const through = await run.hashThrough(job, fingerprint, ranges.confirmed, sent, hashed);
  if ("failed" in through) return through.failed;
  const hash = through.hash;
  const progressed = ranges.confirmed > job.confirmedOffset;
  const first = ranges.missing[0];
  const moved: UploadJob = {
    ...job,
    hash,
    confirmedOffset: ranges.confirmed,
    missingRangeEnd: first && first.end < size - 1 ? first.end : undefined,
    resyncPending: undefined,
    session: expiresAt !== undefined ? { ...session, expiresAt } : session,
    ...(progressed
      ? { attempts: { ...job.attempts, retries: 0, badRequestResyncs: 0 }, lastError: undefined }
      : {}),
  };
  const events: JobEvent[] =
    kind === "chunk"
      ? [{ type: "chunk-confirmed", confirmedOffset: ranges.confirmed, size }]
      : [
          {
            type: "resynced",
            from: job.confirmedOffset,
            to: ranges.confirmed,
            reason: job.lastError?.code ?? "resume",
          },
        ];
  if (ranges.missing.length === 0) {
    // Every byte is in but no driveItem came back: look the item up and verify it.
    return proceed({ ...moved, status: "verifying" }, events);
  }
  if (kind === "chunk" && !progressed) {
    // A 202 that confirms nothing new: count it, so a server that never advances cannot loop us forever.
    const stalled = jobError("no-progress", "the server accepted a fragment but confirmed no new bytes");
    const result = await applyDecision(
      moved,
      { action: "retry-now", error: stalled, resync: true },
      run.outcome,
    );
    return { ...result, events: [...events, ...result.events] };
  }
  return proceed(moved, events);
}

/** Ask the server what it holds; continue from there (after any doubt, and after a restart). */
export async function resync(
  run: StepRun,
  target: ResolvedTarget,
  fingerprint: SourceFingerprint,
): Promise<StepResult> {
  const job = run.job;
  const session = job.session;
  if (!session) return proceed(job);
  let status: Awaited<ReturnType<GraphPort["getUploadStatus"]>>;
  try {
    status = await run.deps.graph.getUploadStatus(session.uploadUrl, run.signal);
  } catch (err: unknown) {
    if (err instanceof GraphFailure && err.status === 404) {
      if ((job.attempts.notFound ?? 0) < 1) return sessionNotFoundOnce(run, err);
      return probeFinishedUpload(run, target, fingerprint, err);
    }
    return run.failure(job, err, "status");
  }
  const answered = { ...job, attempts: { ...job.attempts, notFound: 0 } };
  return applyServerRanges(run, answered, status.nextExpectedRanges, status.expiresAt, undefined, "resynced");
}

/**
 * A first 404 on the upload URL does not declare the session gone: right after creation, and under load, the
 * service answers 404 for a session that is there (rclone backend/onedrive `uploadFragment`: "assuming
 * eventual consistency problem with session - retrying chunk", after 5 s). Wait, then ask the status; a
 * second 404 in a row means gone.
 */
export async function sessionNotFoundOnce(run: StepRun, notFound: GraphFailure): Promise<StepResult> {
  const job = run.job;
  const waiting: UploadJob = {
    ...job,
    attempts: { ...job.attempts, notFound: (job.attempts.notFound ?? 0) + 1 },
  };
  const decision = {
    action: "retry-after" as const,
    error: jobError(
      "session-not-found",
      `the upload session was not found (${notFound.message}); asking again`,
    ),
    delayMs: run.deps.policy.notFoundRetryMs,
    resync: true,
    throttleDrive: false,
  };
  return applyDecision(waiting, decision, run.outcome);
}
