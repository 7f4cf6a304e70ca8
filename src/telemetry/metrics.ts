/**
 * The app's metrics, through `@opentelemetry/api` only: with no SDK registered (tests, the CLI, the local host
 * without a connection string) every call is a no-op. The exporter is registered by the Functions entry point
 * alone (src/telemetry/azureMonitor.ts).
 *
 * Instruments are built from whatever meter provider is global at the time of the call, and rebuilt when it
 * changes: the API hands out no-op meters (no proxy, unlike tracers) before a provider is registered, and module
 * load order must not decide whether metrics exist.
 */
import { type Counter, type Gauge, type Histogram, type MeterProvider, metrics } from "@opentelemetry/api";
import type { UploadJob } from "../core/job/job.js";
import { METRIC_ATTRIBUTES as A, METER_NAME, METRICS } from "./names.js";

interface Instruments {
  readonly bytesUploaded: Counter;
  readonly jobsCompleted: Counter;
  readonly jobsFailed: Counter;
  readonly throttleWaits: Counter;
  readonly stepDuration: Histogram;
  readonly oldestActiveJobAge: Gauge;
}

let built: { provider: MeterProvider; instruments: Instruments } | undefined;

function instruments(): Instruments {
  const provider = metrics.getMeterProvider();
  if (built?.provider === provider) return built.instruments;
  const meter = provider.getMeter(METER_NAME);
  const instruments: Instruments = {
    bytesUploaded: meter.createCounter(METRICS.bytesUploaded, {
      unit: "By",
      description: "Bytes the service confirmed",
    }),
    jobsCompleted: meter.createCounter(METRICS.jobsCompleted, { description: "Jobs completed" }),
    jobsFailed: meter.createCounter(METRICS.jobsFailed, { description: "Jobs failed, by reason" }),
    throttleWaits: meter.createCounter(METRICS.throttleWaits, {
      description: "Waits because Microsoft Graph throttled",
    }),
    stepDuration: meter.createHistogram(METRICS.stepDuration, {
      unit: "ms",
      description: "Duration of one upload step",
    }),
    oldestActiveJobAge: meter.createGauge(METRICS.oldestActiveJobAge, {
      unit: "s",
      description: "Age of the oldest job that is not finished",
    }),
  };
  built = { provider, instruments };
  return instruments;
}

/** The mirror a job belongs to (from its request id, src/mirror/runner.ts newRunId), or `api`. */
export function mirrorOf(requestId: string): string {
  const match = /^mirror-(.+)-\d{8}T\d{9}Z-[0-9a-f]{6}$/.exec(requestId);
  return match?.[1] ?? "api";
}

/** One engine step: its duration, and the bytes it moved (the confirmed offset only ever comes from Graph). */
export function recordStep(before: UploadJob, after: UploadJob, durationMs: number, outcome: string): void {
  const i = instruments();
  i.stepDuration.record(durationMs, { [A.outcome]: outcome });
  const bytes = bytesMoved(before, after);
  if (bytes > 0) i.bytesUploaded.add(bytes, { [A.mirror]: mirrorOf(after.requestId) });
}

function bytesMoved(before: UploadJob, after: UploadJob): number {
  // A simple upload confirms no offset: it lands whole when the job completes.
  if (after.status === "completed" && before.status !== "completed" && after.confirmedOffset === 0)
    return after.result?.size ?? 0;
  return Math.max(0, after.confirmedOffset - before.confirmedOffset);
}

/** A job that just became terminal (once per job: the callers run only on the transition). */
export function recordJobEnded(job: UploadJob): void {
  const mirror = mirrorOf(job.requestId);
  if (job.status === "completed") instruments().jobsCompleted.add(1, { [A.mirror]: mirror });
  else if (job.status === "failed")
    instruments().jobsFailed.add(1, { [A.mirror]: mirror, [A.reason]: job.lastError?.code ?? "unknown" });
}

/** `kind`: `retry-after` (Graph answered 429/503), `drive-blocked` (a wake postponed for a throttled drive). */
export function recordThrottleWait(kind: "retry-after" | "drive-blocked"): void {
  instruments().throttleWaits.add(1, { [A.kind]: kind });
}

export function recordOldestActiveJobAge(seconds: number): void {
  instruments().oldestActiveJobAge.record(seconds);
}
