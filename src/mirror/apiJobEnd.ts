/**
 * Records the end of a job the HTTP API created (POST /api/uploads) in the same history mirror jobs go to, under
 * the pseudo-mirror name {@link API_HISTORY_NAME}, so `GET /api/stats` counts every upload, mirror or API
 * (issue 15 item 8). The name cannot be a mirror's: mirror names start with a letter or digit.
 * Idempotent: the history key is the job id and the row key its finish time, so a duplicate delivery rewrites
 * the same record.
 */
import { isTerminal, type UploadJob } from "../core/job.js";
import type { HistoryOutcome, HistoryStore } from "../core/mirrorPorts.js";
import { destinationLabel } from "./destinationKey.js";

export const API_HISTORY_NAME = "(api)";

export async function recordApiJobEnd(job: UploadJob, history: HistoryStore): Promise<boolean> {
  if (!isTerminal(job.status)) return false;
  const outcome: HistoryOutcome =
    job.status === "completed" ? "completed" : job.status === "failed" ? "failed" : "cancelled";
  const error = job.status === "completed" ? undefined : job.lastError;
  await history.append({
    mirror: API_HISTORY_NAME,
    runId: job.requestId,
    key: job.jobId,
    path: job.destination.path,
    // The folder the file went to, as a mirror's history names it; the file's own path is `path`.
    destination: destinationLabel({ ...job.destination, path: job.destination.path.replace(/[^/]*$/, "") }),
    bytes: job.result?.size ?? job.confirmedOffset,
    durationMs: Math.max(0, job.updatedAt - job.createdAt),
    outcome,
    ...(error ? { errorCode: error.code, errorMessage: error.message } : {}),
    ...(error?.requestId ? { requestId: error.requestId } : {}),
    finishedAt: job.updatedAt,
  });
  return true;
}
