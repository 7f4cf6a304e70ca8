/**
 * Poison handler: the host moves a wake message to `<queue>-poison` after host.json `maxDequeueCount` failed
 * deliveries; this marks the job failed with code `poisoned` (src/core/poison.ts).
 */
import { app, type InvocationContext } from "@azure/functions";
import { parseStorageNames, poisonQueueName } from "../config/storage.js";
import { handlePoison } from "../core/poison.js";
import { parseWakeMessage } from "../store/wakeMessageCodec.js";
import { contextLog, poisonDeps } from "./pipelineWiring.js";

export async function poisonHandler(item: unknown, context: InvocationContext): Promise<void> {
  const message = parseWakeMessage(item);
  if (!message) {
    contextLog(context)({ event: "poison-malformed" });
    return;
  }
  const outcome = await handlePoison(message, await poisonDeps(context));
  contextLog(context)({
    event: "poison-handled",
    outcome,
    jobId: message.jobId,
    requestId: message.requestId,
  });
}

app.storageQueue("uploadStepPoison", {
  queueName: poisonQueueName(parseStorageNames(process.env).wakeQueue),
  connection: "AzureWebJobsStorage",
  handler: poisonHandler,
});
