/**
 * The queue-triggered step function: one step of one job per delivery (src/core/pipeline/worker.ts). An immediate
 * continuation goes out through the queue output binding (written by the host only when the handler
 * succeeds, docs/platform.md); a delayed one (backoff, a throttled drive, a wake moved to a live lease's end) through
 * the queue SDK with a visibility timeout, which the binding cannot do. A step that ends its job records a
 * mirror job's end at once (mirrorWiring `onJobFinished`), so the mirror's history and manifest do not wait for
 * the next pass.
 *
 * A message that is not a wake message (not JSON, oversized, unknown or invalid fields), or that wakes a job
 * that does not exist, goes to the poison queue once with the reason, logged as one warning (issue 16):
 * retrying cannot help, so the delivery succeeds instead of failing maxDequeueCount times.
 */
import { app, type InvocationContext } from "@azure/functions";
import { isTerminal } from "../core/job/job.js";
import { processWake } from "../core/pipeline/worker.js";
import type { WakeMessage } from "../core/ports/stores.js";
import { type RejectionReason, rejectionOf } from "../store/rejectedWakes.js";
import { readWakeMessage } from "../store/wakeMessageCodec.js";
import { recordThrottleWait } from "../telemetry/metrics.js";
import { recordJobEnd } from "./jobEndHook.js";
import { contextLog, contextWarn, workerDeps } from "./pipelineWiring.js";
import { wakeQueueOutput } from "./wakeOutput.js";

/** Returns the immediate continuation for the output binding, or undefined for none. */
export async function wakeQueueHandler(
  item: unknown,
  context: InvocationContext,
): Promise<WakeMessage | undefined> {
  const reading = readWakeMessage(item);
  const deps = await workerDeps(context);
  const reject = async (reason: RejectionReason, detail: string) => {
    await deps.rejectedWakes.reject(rejectionOf(item, reason, detail));
    contextWarn(context)({ event: "wake-rejected", reason, detail, dequeueCount: dequeueCountOf(context) });
  };
  if (!reading.ok) {
    await reject(reading.reason, reading.detail);
    return undefined;
  }
  const { message } = reading;
  const result = await processWake(message, deps);
  if (result.kind === "throttled") recordThrottleWait("drive-blocked");
  if (result.kind === "dropped" && result.reason === "unknown-job") {
    await reject("unknown-job", `no job ${message.jobId} in request ${message.requestId ?? "(none given)"}`);
    return undefined;
  }
  if (result.kind === "stepped" && isTerminal(result.job.status)) await recordJobEnd(result.job, context);
  const continuation = result.kind === "dropped" ? undefined : result.continuation;
  if (!continuation) return undefined;
  if ("now" in continuation) return continuation.now;
  await deps.queue.send(continuation.later, continuation.delayMs);
  // Logged once the delayed wake is in the queue: from here a crash of this host loses nothing (the wake comes
  // back after its delay); before it, the job is the sweeper's (docs/pipeline.md "Why this is crash-safe").
  contextLog(context)({
    event: "wake-scheduled",
    jobId: continuation.later.jobId,
    requestId: continuation.later.requestId,
    wakeSeq: continuation.later.wakeSeq,
    delayMs: continuation.delayMs,
  });
  return undefined;
}

function dequeueCountOf(context: InvocationContext): unknown {
  return context.triggerMetadata?.dequeueCount;
}

app.storageQueue("uploadWake", {
  queueName: wakeQueueOutput.queueName,
  connection: "AzureWebJobsStorage",
  handler: wakeQueueHandler,
  return: wakeQueueOutput,
});
