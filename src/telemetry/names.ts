/**
 * The names operators query: metric names (Application Insights `customMetrics.name`), the Graph dependency
 * span's name and attributes, and the log events that alert rules count. One list, read by the code that emits
 * them and by the ARM tests (test/arm) that check the alert rules and the workbook query these very names, so a
 * rename cannot silently blind an alert.
 */

export const METER_NAME = "graph-mirror";
export const TRACER_NAME = "graph-mirror";

export const METRICS = {
  /** Counter, bytes: bytes the service confirmed (a step's confirmed offset moved, or a simple upload landed). */
  bytesUploaded: "graphmirror.bytes_uploaded",
  /** Counter: jobs that reached `completed`. Attribute `mirror` (HTTP API jobs: `api`). */
  jobsCompleted: "graphmirror.jobs_completed",
  /** Counter: jobs that reached `failed`. Attributes `reason` (the job error code) and `mirror`. */
  jobsFailed: "graphmirror.jobs_failed",
  /** Counter: waits because Graph throttled (429/503 with Retry-After, or a blocked drive). Attribute `kind`. */
  throttleWaits: "graphmirror.throttle_waits",
  /** Histogram, ms: one upload step (one queue delivery's engine work). Attribute `outcome`. */
  stepDuration: "graphmirror.step_duration",
  /** Gauge, seconds: age of the oldest job not yet terminal, measured by the sweeper every five minutes. */
  oldestActiveJobAge: "graphmirror.oldest_active_job_age",
} as const;

export type MetricName = (typeof METRICS)[keyof typeof METRICS];

/** Attribute keys on metrics. Low cardinality only: never a job id, path or URL. */
export const METRIC_ATTRIBUTES = {
  reason: "reason",
  mirror: "mirror",
  kind: "kind",
  outcome: "outcome",
} as const;

/** The Graph dependency span: named `graph <route>`, never after a URL (upload URLs are credentials). */
export const GRAPH_SPAN_PREFIX = "graph ";
export const SPAN_ATTRIBUTES = {
  route: "graph.route",
  /** `graph` (the Graph host, with the token) or `upload` (a pre-authorised upload URL, no token). */
  target: "graph.target",
  method: "http.request.method",
  status: "http.response.status_code",
  requestId: "graph.request_id",
  serverAddress: "server.address",
} as const;

/** Log events at warning or error level that the alert rules count (customDimensions / message text). */
export const ALERT_EVENTS = {
  jobFailed: "job-failed",
  jobPoisoned: "job-poisoned",
  throttled: "graph-throttled",
  budgetExhausted: "request-budget-exhausted",
} as const;

/** The job error code for a job that used up its request budget (src/core/upload/engine.ts). */
export const BUDGET_ERROR_CODE = "request-budget";
