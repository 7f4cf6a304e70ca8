/**
 * The mirror inside the Functions app: its log through the invocation's context, and the job-end hook that
 * records a mirror job's end at once. The mirror's dependencies themselves are built by the composition root
 * (src/app/mirror.ts), once per services.
 */
import type { InvocationContext } from "@azure/functions";
import { jsonLines } from "../app/jsonLog.js";
import type { Services } from "../app/services.js";
import type { UploadJob } from "../core/job/job.js";
import { jobOrigin } from "../core/job/origin.js";
import { recordMirrorJobEnd } from "../mirror/jobEnd.js";
import type { MirrorLogEvent, MirrorLogger } from "../mirror/mirrorLog.js";
import { appServices } from "./appServices.js";

/** Log events through the invocation's context, one JSON object per line (Application Insights). */
export function mirrorContextLog(context: InvocationContext): MirrorLogger {
  return jsonLines<MirrorLogEvent>((line) => context.log(line));
}

/**
 * For the queue step function: call with every job that reached a terminal status. Records mirror jobs' ends
 * at once (manifest, history, log); jobs of the HTTP API are recorded by src/functions/jobEndHook.ts
 * (src/api/jobHistory.ts). Idempotent under duplicate deliveries.
 * Without this hook the next mirror pass records them instead (runner.ts settlePending).
 */
export async function onJobFinished(
  job: UploadJob,
  context: InvocationContext,
  services: Services = appServices(),
) {
  if (jobOrigin(job).kind !== "mirror") return false;
  const wiring = await services.mirror();
  return recordMirrorJobEnd(job, {
    manifest: wiring.manifest,
    history: wiring.history,
    log: mirrorContextLog(context),
  });
}
