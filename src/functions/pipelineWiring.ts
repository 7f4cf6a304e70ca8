/**
 * Dependencies of the queue worker, the poison handler and the sweeper, taken from the instance services
 * (src/functions/appServices.ts).
 * Logs go through the invocation's context so they land in the function's own log stream (Application
 * Insights), one JSON object per event.
 */
import type { InvocationContext } from "@azure/functions";
import type { Services } from "../app/services.js";
import type { PipelineLog } from "../core/pipeline/pipelineLog.js";
import type { PoisonDeps } from "../core/pipeline/poison.js";
import type { SweeperDeps } from "../core/pipeline/sweeper.js";
import type { StepRunner, WorkerDeps } from "../core/pipeline/worker.js";
import type { WakeQueue } from "../core/ports/stores.js";
import type { RejectedWakes } from "../store/rejectedWakes.js";
import { recordStep } from "../telemetry/metrics.js";
import { appServices } from "./appServices.js";
import { leveledContextLog, reportThrottling } from "./jobSignals.js";

/** Pipeline events, at Information unless jobSignals.ts gives them a higher level (failures, throttling). */
export function contextLog(context: InvocationContext): PipelineLog {
  return leveledContextLog(context);
}

/** One engine step, measured (duration, bytes moved) and its throttling reported (src/functions/jobSignals.ts). */
function observedStep(runStep: StepRunner, context: InvocationContext): StepRunner {
  return async (job, signal) => {
    const started = performance.now();
    try {
      const result = await runStep(job, signal);
      recordStep(job, result.job, performance.now() - started, result.next.type);
      reportThrottling(result, context);
      return result;
    } catch (err: unknown) {
      recordStep(job, job, performance.now() - started, "error");
      throw err;
    }
  };
}

/** Warnings: a person should look, but nothing failed (a malformed message, handled once). */
export function contextWarn(context: InvocationContext): PipelineLog {
  return (event) => context.warn(JSON.stringify({ invocationId: context.invocationId, ...event }));
}

export async function workerDeps(
  context: InvocationContext,
  services: Services = appServices(),
): Promise<WorkerDeps & { readonly queue: WakeQueue; readonly rejectedWakes: RejectedWakes }> {
  const [storage, engine] = await Promise.all([services.storage(), services.engine()]);
  const config = services.config.pipeline;
  return {
    store: storage.jobs,
    throttle: storage.throttle,
    queue: storage.wakeQueue,
    rejectedWakes: storage.rejectedWakes,
    clock: services.clock,
    runStep: observedStep(engine.runStep, context),
    cancelJob: engine.cancelJob,
    ...(engine.resume ? { resume: engine.resume } : {}),
    leaseMs: config.leaseMs,
    stepDeadlineMs: config.stepDeadlineMs,
    log: contextLog(context),
    rowCache: services.rowCache,
    claims: { destinations: storage.destinations, wake: storage.wakeQueue },
  };
}

export async function poisonDeps(
  context: InvocationContext,
  services: Services = appServices(),
): Promise<PoisonDeps> {
  const [storage, engine] = await Promise.all([services.storage(), services.engine()]);
  return {
    store: storage.jobs,
    clock: services.clock,
    deleteSession: async (job, signal) => {
      await engine.cancelJob(job, signal);
    },
    sessionDeadlineMs: services.config.pipeline.stepDeadlineMs,
    log: contextLog(context),
  };
}

export async function sweeperDeps(
  context: InvocationContext,
  services: Services = appServices(),
): Promise<SweeperDeps> {
  const storage = await services.storage();
  const config = services.config.pipeline;
  return {
    store: storage.jobs,
    queue: storage.wakeQueue,
    clock: services.clock,
    graceMs: config.sweepGraceMs,
    batch: config.sweepBatch,
    log: contextLog(context),
  };
}
