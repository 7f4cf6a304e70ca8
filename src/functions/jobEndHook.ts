/**
 * Reports a job that just became terminal (metrics; a failure at error level: jobSignals.ts), then calls the
 * mirror's job-end hook (mirrorWiring `onJobFinished`) for a job that just became terminal. The job's
 * own row is already written when this runs, so a failure here (history or manifest table trouble) is logged
 * and swallowed: failing the delivery would only make the host redeliver a message whose job is done. The
 * next mirror pass records what was missed (runner.ts settlePending). A job of the HTTP API is written to
 * history here (src/api/jobHistory.ts), with who asked for it.
 */
import type { InvocationContext } from "@azure/functions";
import { recordApiJobEnd } from "../api/jobHistory.js";
import type { UploadJob } from "../core/job/job.js";
import type { HistoryStore } from "../core/ports/mirror.js";
import { createMirrorStores } from "../mirror/storage.js";
import { reportJobEnd } from "./jobSignals.js";
import { isMirrorJob, onJobFinished } from "./mirrorWiring.js";
import { contextLog } from "./pipelineWiring.js";
import { type Runtime, runtime } from "./runtime.js";

export async function recordJobEnd(
  job: UploadJob,
  context: InvocationContext,
  rt: Runtime = runtime(),
): Promise<void> {
  reportJobEnd(job, context);
  try {
    if (isMirrorJob(job)) await onJobFinished(job, context, rt);
    else await recordApiJobEnd(job, await apiHistory(rt));
  } catch (err: unknown) {
    contextLog(context)({
      event: "mirror-job-end-failed",
      jobId: job.jobId,
      requestId: job.requestId,
      status: job.status,
      // Name and code only (pipelineLog.ts): an error's message may quote a request.
      error: err instanceof Error ? err.name : "error",
      code: (err as { code?: unknown } | null)?.code,
    });
  }
}

const histories = new WeakMap<Runtime, Promise<HistoryStore>>();

/** The history table for HTTP API jobs: the mirrors' table, without needing valid mirror definitions. */
function apiHistory(rt: Runtime): Promise<HistoryStore> {
  let history = histories.get(rt);
  if (!history) {
    const stores = createMirrorStores(rt.storageConfig());
    history = stores.ensureTables().then(() => stores.history);
    histories.set(rt, history);
    history.catch(() => histories.delete(rt));
  }
  return history;
}
