/**
 * Metrics and Graph dependency spans of a real upload (the Functions adapters, the real engine and Graph client,
 * the Graph emulator over sockets), seen by OpenTelemetry's in-memory exporters registered as the global
 * providers, as the Azure Monitor distribution registers its own in Azure. The spans must name the route and
 * never carry the upload URL: no attribute may hold `tempauth` or the upload URL's path.
 */
import { metrics, trace } from "@opentelemetry/api";
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../../src/emulator/index.js";
import { GRAPH_SPAN_PREFIX, METRICS, SPAN_ATTRIBUTES } from "../../../src/telemetry/names.js";
import { CHUNK, DRIVE, installApp } from "./world.js";

let emu: RunningEmulator;
const spans = new InMemorySpanExporter();
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({
  exporter: metricExporter,
  exportIntervalMillis: 3_600_000,
});
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
const meterProvider = new MeterProvider({ readers: [reader] });

beforeAll(async () => {
  emu = await startEmulator();
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
});

afterAll(async () => {
  trace.disable();
  metrics.disable();
  await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown(), emu?.close()]);
});

/** Every data point of one metric, with its attributes, after a collection. */
async function points(name: string): Promise<{ attributes: Record<string, unknown>; value: unknown }[]> {
  metricExporter.reset();
  await reader.forceFlush();
  return metricExporter
    .getMetrics()
    .flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics))
    .filter((m) => m.descriptor.name === name)
    .flatMap((m) => m.dataPoints.map((p) => ({ attributes: p.attributes, value: p.value })));
}

function sum(found: { value: unknown }[]): number {
  return found.reduce((total, p) => total + (typeof p.value === "number" ? p.value : 0), 0);
}

function allAttributeText(found: readonly ReadableSpan[]): string {
  return found.map((s) => `${s.name} ${JSON.stringify(s.attributes)}`).join("\n");
}

describe("OpenTelemetry during a real upload through the queue adapters", () => {
  it("records bytes, completion, throttle waits, step durations and Graph dependency spans, never the upload URL", async () => {
    const app = installApp(emu);
    try {
      const size = 3 * CHUNK + 1000;
      emu.faults.add({
        match: { route: "uploadFragment", nth: 2 },
        fault: { type: "status", status: 429, retryAfterSeconds: 3 },
      });
      const job = await app.createJob("otel.bin", size);
      let uploadUrl: string | undefined;
      const done = await app.runToEnd(job, (row) => {
        uploadUrl ??= row.session?.uploadUrl;
      });
      expect(done.status).toBe("completed");
      expect(uploadUrl).toBeDefined();

      expect(sum(await points(METRICS.bytesUploaded))).toBe(size);
      expect(await points(METRICS.jobsCompleted)).toEqual([{ attributes: { mirror: "api" }, value: 1 }]);
      expect(sum(await points(METRICS.throttleWaits))).toBeGreaterThanOrEqual(1);
      const steps = await points(METRICS.stepDuration);
      expect(steps.length).toBeGreaterThan(0);

      const graphSpans = spans.getFinishedSpans().filter((s) => s.name.startsWith(GRAPH_SPAN_PREFIX));
      const names = new Set(graphSpans.map((s) => s.name));
      expect(names).toContain("graph createUploadSession");
      expect(names).toContain("graph uploadFragment");
      const throttled = graphSpans.find((s) => s.attributes[SPAN_ATTRIBUTES.status] === 429);
      expect(throttled?.name).toBe("graph uploadFragment");
      expect(throttled?.attributes[SPAN_ATTRIBUTES.requestId]).toEqual(expect.any(String));
      for (const span of graphSpans) {
        expect(span.attributes[SPAN_ATTRIBUTES.route]).toBe(span.name.slice(GRAPH_SPAN_PREFIX.length));
        expect(span.attributes[SPAN_ATTRIBUTES.status]).toEqual(expect.any(Number));
      }
      const text = allAttributeText(graphSpans);
      expect(text.toLowerCase()).not.toContain("tempauth");
      expect(text).not.toContain(new URL(uploadUrl ?? "http://x/").pathname);
      expect(text).not.toContain("http://");
      expect(text).not.toContain(DRIVE);
    } finally {
      app.close();
    }
  });

  it("counts a failed job by its reason", async () => {
    const app = installApp(emu);
    try {
      emu.faults.add({ match: { route: "createUploadSession" }, fault: { type: "status", status: 403 } });
      const done = await app.runToEnd(await app.createJob("denied.bin", 2 * CHUNK));
      expect(done.status).toBe("failed");
      const failed = await points(METRICS.jobsFailed);
      expect(failed).toContainEqual({
        attributes: { mirror: "api", reason: done.lastError?.code },
        value: 1,
      });
    } finally {
      app.close();
    }
  });
});
