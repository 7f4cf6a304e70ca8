/**
 * The queue-triggered step function: one step of one job per delivery (src/core/worker.ts). An immediate
 * continuation goes out through the queue output binding (written by the host only when the handler
 * succeeds, PLATFORM.md); a delayed one through the queue SDK with a visibility timeout, which the binding
 * cannot do. Malformed messages are logged and dropped: retrying them cannot help. A step that ends its job
 * (completed, failed, cancelled) records a mirror job's end at once (mirrorWiring `onJobFinished`), so the
 * mirror's history and manifest do not wait for the next pass.
 */
import { app, type InvocationContext } from "@azure/functions";
import { isTerminal } from "../core/job.js";
import type { WakeMessage } from "../core/storePorts.js";
import { processWake } from "../core/worker.js";
import { parseWakeMessage } from "../store/wakeMessageCodec.js";
import { recordThrottleWait } from "../telemetry/metrics.js";
import { recordJobEnd } from "./jobEndHook.js";
import { contextLog, workerDeps } from "./pipelineWiring.js";
import { wakeQueueOutput } from "./wakeOutput.js";

/** Returns the immediate continuation for the output binding, or undefined for none. */
export async function stepQueueHandler(
  item: unknown,
  context: InvocationContext,
): Promise<WakeMessage | undefined> {
  const message = parseWakeMessage(item);
  if (!message) {
    contextLog(context)({ event: "wake-malformed", dequeueCount: context.triggerMetadata?.dequeueCount });
    return undefined;
  }
  const deps = await workerDeps(context);
  const result = await processWake(message, deps);
  if (result.kind === "throttled") recordThrottleWait("drive-blocked");
  if (result.kind === "stepped" && isTerminal(result.job.status)) await recordJobEnd(result.job, context);
  const continuation = result.kind === "dropped" ? undefined : result.continuation;
  if (!continuation) return undefined;
  if ("now" in continuation) return continuation.now;
  await deps.queue.send(continuation.later, continuation.delayMs);
  return undefined;
}

app.storageQueue("uploadStep", {
  queueName: wakeQueueOutput.queueName,
  connection: "AzureWebJobsStorage",
  handler: stepQueueHandler,
  return: wakeQueueOutput,
});
