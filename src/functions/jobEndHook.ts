/**
 * Reports a job that just became terminal (metrics; a failure at error level: jobSignals.ts), then calls the
 * job-end hook of the job's origin (src/core/job/origin.ts): a mirror's (mirrorWiring `onJobFinished`) or the
 * HTTP API's. The hooks are one record with a member per origin kind, so a new kind does not compile until it
 * has a hook (docs/design.md "Composition root"). The job's
 * own row is already written when this runs, so a failure here (history or manifest table trouble) is logged
 * and swallowed: failing the delivery would only make the host redeliver a message whose job is done. The
 * next mirror pass records what was missed (runner.ts settlePending). A job of the HTTP API is written to
 * history here (src/api/jobHistory.ts), with who asked for it.
 */
import type { InvocationContext } from "@azure/functions";
import { recordApiJobEnd } from "../api/jobHistory.js";
import type { Services } from "../app/services.js";
import type { JobOrigin, UploadJob } from "../core/job/job.js";
import { jobOrigin } from "../core/job/origin.js";
import { appServices } from "./appServices.js";
import { reportJobEnd } from "./jobSignals.js";
import { onJobFinished } from "./mirrorWiring.js";
import { contextLog } from "./pipelineWiring.js";

export async function recordJobEnd(
  job: UploadJob,
  context: InvocationContext,
  services: Services = appServices(),
): Promise<void> {
  reportJobEnd(job, context);
  try {
    const origin = jobOrigin(job);
    await hookFor(origin)(job, context, services);
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

type JobEndHook = (job: UploadJob, context: InvocationContext, services: Services) => Promise<unknown>;

const HOOKS: { readonly [Kind in JobOrigin["kind"]]: JobEndHook } = {
  mirror: onJobFinished,
  // The HTTP API's jobs go to the mirrors' history table (without needing valid mirror definitions).
  api: async (job, _context, services) => recordApiJobEnd(job, (await services.mirrorStores()).history),
};

function hookFor(origin: JobOrigin): JobEndHook {
  return HOOKS[origin.kind];
}
