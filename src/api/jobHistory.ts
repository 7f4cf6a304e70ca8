/**
 * History of the HTTP API's jobs: mirror jobs are recorded by their mirror (src/mirror/jobEnd.ts); a job a
 * request created is recorded here when it ends, under the history partition {@link HTTP_API_HISTORY} with
 * the request id as its run, so `graph-mirror status`, the history table and support cases see who asked
 * (`requestedBy`) next to what happened. Idempotent: the row key is the job id and its end time.
 */
import { isTerminal, type UploadJob } from "../core/job/job.js";
import type { HistoryOutcome, HistoryStore } from "../core/ports/mirror.js";

/** Not a valid mirror name (those start with a letter or digit), so it never mixes with a mirror's history. */
export const HTTP_API_HISTORY = "(http-api)";

export async function recordApiJobEnd(job: UploadJob, history: HistoryStore): Promise<boolean> {
  if (!isTerminal(job.status)) return false;
  const outcome: HistoryOutcome =
    job.status === "cancelled" ? "cancelled" : job.status === "completed" ? "completed" : "failed";
  const error = job.status === "completed" ? undefined : job.lastError;
  await history.append({
    mirror: HTTP_API_HISTORY,
    runId: job.requestId,
    key: job.jobId,
    path: job.destination.path,
    destination: destinationLabel(job),
    bytes: job.result?.size ?? job.confirmedOffset,
    durationMs: Math.max(0, job.updatedAt - job.createdAt),
    outcome,
    ...(error ? { errorCode: error.code, errorMessage: error.message } : {}),
    ...(error?.requestId ? { requestId: error.requestId } : {}),
    ...(job.requestedBy ? { requestedBy: job.requestedBy } : {}),
    finishedAt: job.updatedAt,
  });
  return true;
}

/** The destination as the CLI's `--to` spells it, without the path (that is the record's `path`). */
function destinationLabel(job: UploadJob): string {
  const d = job.destination;
  switch (d.type) {
    case "drive":
      return `drive:${d.driveId}`;
    case "onedrive":
      return `onedrive:${d.user}`;
    case "sharepoint":
      return `sharepoint:${d.site}:${d.library}`;
  }
}
