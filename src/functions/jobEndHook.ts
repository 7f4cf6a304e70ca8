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
import type { Services } from "../app/services.js";
import type { UploadJob } from "../core/job/job.js";
import { appServices } from "./appServices.js";
import { reportJobEnd } from "./jobSignals.js";
import { isMirrorJob, onJobFinished } from "./mirrorWiring.js";
import { contextLog } from "./pipelineWiring.js";

export async function recordJobEnd(
  job: UploadJob,
  context: InvocationContext,
  services: Services = appServices(),
): Promise<void> {
  reportJobEnd(job, context);
  try {
    // The HTTP API's jobs go to the mirrors' history table (without needing valid mirror definitions).
    if (isMirrorJob(job)) await onJobFinished(job, context, services);
    else await recordApiJobEnd(job, (await services.mirrorStores()).history);
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
