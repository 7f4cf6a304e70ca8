/**
 * What operators must see, from the Functions adapters: failed jobs, poisoned messages, throttling and
 * exhausted request budgets as warning/error log records (Application Insights severity 2/3: the Failures
 * view, the runbook's `severityLevel >= 2` queries, the alert rules), plus the matching metrics
 * (src/telemetry/metrics.ts). Each record names the job, request, drive, error code and Graph request-id;
 * never an upload URL, a token or an error message (a message may quote a request).
 */
import type { InvocationContext } from "@azure/functions";
import type { StepResult, UploadJob } from "../core/job/job.js";
import type { PipelineEvent, PipelineLog } from "../core/pipeline/pipelineLog.js";
import { recordJobEnded, recordThrottleWait } from "../telemetry/metrics.js";
import { ALERT_EVENTS, BUDGET_ERROR_CODE } from "../telemetry/names.js";

/** Pipeline events (src/core) that deserve more than Information, and the level they get. */
const EVENT_LEVELS: Readonly<Record<string, "warn" | "error">> = {
  "job-poisoned": "error",
  "drive-throttled": "warn",
  "lease-release-failed": "warn",
  "sweeper-error": "warn",
  "poison-malformed": "warn",
  "wake-malformed": "warn",
  "mirror-job-end-failed": "warn",
};

/** Logs through the invocation's context at the event's level, one JSON object per line. */
export function leveledContextLog(context: InvocationContext): PipelineLog {
  return (event) => emit(context, EVENT_LEVELS[event.event] ?? "log", event);
}

function emit(context: InvocationContext, level: "log" | "warn" | "error", event: PipelineEvent): void {
  const line = JSON.stringify({ invocationId: context.invocationId, ...event });
  if (level === "error") context.error(line);
  else if (level === "warn") context.warn(line);
  else context.log(line);
}

/** The drive a job writes to: its resolved drive id, else what the caller named (never a URL's query). */
export function driveOf(job: UploadJob): string {
  if (job.target) return job.target.driveId;
  const d = job.destination;
  if (d.type === "drive") return d.driveId;
  if (d.type === "onedrive") return `onedrive:${d.user}`;
  return `sharepoint:${new URL(d.site).host}${new URL(d.site).pathname}:${d.library}`;
}

/** A job that just became terminal: the metric, and for a failure an error record an operator can act on. */
export function reportJobEnd(job: UploadJob, context: InvocationContext): void {
  recordJobEnded(job);
  if (job.status !== "failed") return;
  const code = job.lastError?.code ?? "unknown";
  emit(context, "error", {
    event: code === BUDGET_ERROR_CODE ? ALERT_EVENTS.budgetExhausted : ALERT_EVENTS.jobFailed,
    jobId: job.jobId,
    requestId: job.requestId,
    drive: driveOf(job),
    code,
    ...(job.lastError?.httpStatus ? { httpStatus: job.lastError.httpStatus } : {}),
    ...(job.lastError?.graphCode ? { graphCode: job.lastError.graphCode } : {}),
    ...(job.lastError?.requestId ? { graphRequestId: job.lastError.requestId } : {}),
  });
}

/** Graph throttled this step (429/503): a warning per wait, with the delay and Graph's request-id. */
export function reportThrottling(result: StepResult, context: InvocationContext): void {
  for (const event of result.events) {
    if (event.type !== "retrying" || event.error?.code !== "throttled") continue;
    recordThrottleWait("retry-after");
    emit(context, "warn", {
      event: ALERT_EVENTS.throttled,
      jobId: result.job.jobId,
      requestId: result.job.requestId,
      drive: driveOf(result.job),
      code: event.error.code,
      delayMs: event.delayMs,
      ...(event.error.httpStatus ? { httpStatus: event.error.httpStatus } : {}),
      ...(event.error.requestId ? { graphRequestId: event.error.requestId } : {}),
    });
  }
}
