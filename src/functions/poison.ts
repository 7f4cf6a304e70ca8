/**
 * Poison handler for `<queue>-poison`. Two kinds of message arrive:
 * - a wake message the host gave up on after host.json `maxDequeueCount` failed deliveries: the job is marked
 *   failed with code `poisoned` (src/core/pipeline/poison.ts) and a mirror job's end is recorded at once;
 * - a record the step function wrote for a message that was not a wake message or named no job (issue 16): it
 *   was already logged as a warning there, so it is only noted here.
 * Anything else (a message someone put here by hand) is logged once as a warning. Nothing is ever forwarded or
 * thrown for a malformed message: a throw would make the host move it on to `<queue>-poison-poison`.
 */
import { app, type InvocationContext } from "@azure/functions";
import { poisonQueueName } from "../config/storage.js";
import { handlePoison } from "../core/pipeline/poison.js";
import { readRejectedWake } from "../store/rejectedWakes.js";
import { readWakeMessage } from "../store/wakeMessageCodec.js";
import { appServices } from "./appServices.js";
import { recordJobEnd } from "./jobEndHook.js";
import { contextLog, contextWarn, poisonDeps } from "./pipelineWiring.js";

export async function poisonHandler(item: unknown, context: InvocationContext): Promise<void> {
  const rejected = readRejectedWake(item);
  if (rejected) {
    contextLog(context)({ event: "poison-rejected-wake", reason: rejected.reason, length: rejected.length });
    return;
  }
  const reading = readWakeMessage(item);
  if (!reading.ok) {
    contextWarn(context)({ event: "poison-malformed", reason: reading.reason, detail: reading.detail });
    return;
  }
  const { message } = reading;
  const deps = await poisonDeps(context);
  const outcome = await handlePoison(message, deps);
  const log = outcome === "unknown-job" ? contextWarn(context) : contextLog(context);
  log({ event: "poison-handled", outcome, jobId: message.jobId, requestId: message.requestId });
  if (outcome === "failed") {
    const row = await deps.store.get(message.jobId, message.requestId);
    if (row) await recordJobEnd(row.job, context);
  }
}

app.storageQueue("uploadWakePoison", {
  queueName: poisonQueueName(appServices().config.storageNames.wakeQueue),
  connection: "AzureWebJobsStorage",
  handler: poisonHandler,
});
