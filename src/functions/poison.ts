/**
 * Poison handler: the host moves a wake message to `<queue>-poison` after host.json `maxDequeueCount` failed
 * deliveries; this marks the job failed with code `poisoned` (src/core/poison.ts), then records a mirror job's
 * end at once (mirrorWiring `onJobFinished`).
 */
import { app, type InvocationContext } from "@azure/functions";
import { parseStorageNames, poisonQueueName } from "../config/storage.js";
import { handlePoison } from "../core/poison.js";
import { parseWakeMessage } from "../store/wakeMessageCodec.js";
import { recordJobEnd } from "./jobEndHook.js";
import { contextLog, poisonDeps } from "./pipelineWiring.js";

export async function poisonHandler(item: unknown, context: InvocationContext): Promise<void> {
  const message = parseWakeMessage(item);
  if (!message) {
    contextLog(context)({ event: "poison-malformed" });
    return;
  }
  const deps = await poisonDeps(context);
  const outcome = await handlePoison(message, deps);
  contextLog(context)({
    event: "poison-handled",
    outcome,
    jobId: message.jobId,
    requestId: message.requestId,
  });
  if (outcome === "failed") {
    const row = await deps.store.get(message.jobId, message.requestId);
    if (row) await recordJobEnd(row.job, context);
  }
}

app.storageQueue("uploadStepPoison", {
  queueName: poisonQueueName(parseStorageNames(process.env).wakeQueue),
  connection: "AzureWebJobsStorage",
  handler: poisonHandler,
});
