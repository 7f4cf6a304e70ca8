/**
 * Records the end of a mirror job: on success the manifest learns the uploaded version and what the destination
 * stored (the driveItem returned at completion: item id, cTag, size, hash; for Office files the service's
 * rewritten size and hash, not ours), which is what the next pass compares (destinationChange.ts); in
 * every case one history record is appended and one log event written (issue 6).
 * Idempotent: the pending row is removed last, and a job without one was already recorded (duplicate queue
 * deliveries and the next pass's reconciliation may both call this).
 */
import { isTerminal, type UploadJob } from "../core/job/job.js";
import type { HistoryOutcome, HistoryStore, ManifestStore } from "../core/ports/mirror.js";
import type { MirrorLogger } from "./mirrorLog.js";

export interface JobEndDeps {
  readonly manifest: ManifestStore;
  readonly history: HistoryStore;
  readonly log: MirrorLogger;
}

/** Returns true when the job belonged to a mirror and its end was recorded now. */
export async function recordMirrorJobEnd(job: UploadJob, deps: JobEndDeps): Promise<boolean> {
  if (!isTerminal(job.status)) return false;
  const pending = await deps.manifest.findJob(job.jobId);
  if (!pending) return false;
  const result = job.result;
  if (job.status === "completed" && result) {
    await deps.manifest.put({
      mirror: pending.mirror,
      destination: pending.destination,
      path: pending.path,
      // The version the engine actually uploaded (it restarts when the source changes mid-upload).
      source: job.fingerprint ?? pending.source,
      driveId: job.target?.driveId ?? (job.destination.type === "drive" ? job.destination.driveId : ""),
      itemId: result.itemId,
      ...(result.eTag ? { eTag: result.eTag } : {}),
      ...(result.cTag ? { cTag: result.cTag } : {}),
      ...(result.quickXorHash ? { quickXorHash: result.quickXorHash } : {}),
      size: result.size,
      uploadedAt: job.updatedAt,
    });
  }
  // A superseded job was cancelled for a newer request to the same item: history says cancelled, and its
  // error code (superseded) says why; the outcome names stay as they were for outside readers.
  const outcome: HistoryOutcome =
    job.status === "cancelled" || job.status === "superseded"
      ? "cancelled"
      : job.status === "completed"
        ? "completed"
        : "failed";
  const bytes = result?.size ?? job.confirmedOffset;
  const durationMs = Math.max(0, job.updatedAt - job.createdAt);
  const error = job.status === "completed" ? undefined : job.lastError;
  await deps.history.append({
    mirror: pending.mirror,
    runId: pending.runId,
    key: job.jobId,
    path: pending.path,
    destination: pending.destinationLabel,
    bytes,
    durationMs,
    outcome,
    ...(error ? { errorCode: error.code, errorMessage: error.message } : {}),
    ...(error?.requestId ? { requestId: error.requestId } : {}),
    finishedAt: job.updatedAt,
  });
  await deps.manifest.untrackJob(job.jobId);
  deps.log({
    event: "mirror-job-end",
    mirror: pending.mirror,
    runId: pending.runId,
    jobId: job.jobId,
    path: pending.path,
    destination: pending.destinationLabel,
    outcome,
    bytes,
    durationMs,
    ...(error ? { errorCode: error.code } : {}),
    ...(error?.requestId ? { requestId: error.requestId } : {}),
  });
  return true;
}
