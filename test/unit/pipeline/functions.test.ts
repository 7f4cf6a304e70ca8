/**
 * The thin Functions adapters, called directly with an InvocationContext (docs/platform.md: outside the host the
 * library is in test mode and skips registration), over the in-memory twins and a scripted engine.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { InvocationContext, type Timer } from "@azure/functions";
import { afterEach, describe, expect, it } from "vitest";
import { createServices } from "../../../src/app/services.js";
import { loadConfig } from "../../../src/config/index.js";
import { parseStorageConfig } from "../../../src/config/storage.js";
import type { StepResult } from "../../../src/core/job/job.js";
import { installServices } from "../../../src/functions/appServices.js";
import { poisonHandler } from "../../../src/functions/poison.js";
import { SWEEP_SCHEDULE, sweeperHandler } from "../../../src/functions/sweeper.js";
import { createUploadFunction } from "../../../src/functions/uploads.js";
import { wakeQueueOutput } from "../../../src/functions/wakeOutput.js";
import { wakeQueueHandler } from "../../../src/functions/wakeQueue.js";
import { createStorageClients } from "../../../src/store/factory.js";
import { MemoryDestinationIndex } from "../../../src/store/memoryDestinationIndex.js";
import { MemoryJobStore } from "../../../src/store/memoryJobStore.js";
import { MemoryThrottleStore } from "../../../src/store/memoryThrottleStore.js";
import { MemoryWakeQueue } from "../../../src/store/memoryWakeQueue.js";
import { MemoryRejectedWakes } from "../../../src/store/rejectedWakes.js";
import { jsonRequest } from "../../support/httpApiHarness.js";
import { makeJob } from "../../support/pipeline/jobs.js";
import { ManualClock } from "../../support/pipeline/manualClock.js";
import { ScriptedEngine } from "../../support/pipeline/scriptedEngine.js";

function install(extraEnv: Record<string, string> = {}) {
  const clock = new ManualClock();
  const jobs = new MemoryJobStore();
  const queue = new MemoryWakeQueue(clock);
  const engine = new ScriptedEngine(clock);
  const logs: string[] = [];
  const rejected = new MemoryRejectedWakes();
  const env = { AzureWebJobsStorage: "UseDevelopmentStorage=true", ...extraEnv };
  installServices(
    createServices(loadConfig(env), {
      clock,
      storage: async () => ({
        jobs,
        throttle: new MemoryThrottleStore(),
        wakeQueue: queue,
        rejectedWakes: rejected,
        destinations: new MemoryDestinationIndex(),
        clients: createStorageClients(parseStorageConfig(env)),
        ensureResources: async () => {},
      }),
      engine: async () => ({ runStep: engine.runStep, cancelJob: engine.cancelJob }),
    }),
  );
  const context = () =>
    new InvocationContext({
      functionName: "uploadWake",
      invocationId: "inv-1",
      triggerMetadata: { dequeueCount: 1 },
      logHandler: (level, ...args) => logs.push(`${level} ${args.map(String).join(" ")}`),
    });
  return { clock, jobs, queue, engine, logs, rejected, context };
}

afterEach(() => installServices(undefined));

describe("wake queue function", () => {
  it("returns the immediate continuation for the output binding", async () => {
    const t = install();
    const job = makeJob({ now: t.clock.now() });
    await t.jobs.createJobs([job]);
    const out = await wakeQueueHandler(
      { jobId: job.jobId, requestId: job.requestId, wakeSeq: 0 },
      t.context(),
    );
    expect(out).toEqual({ jobId: job.jobId, requestId: job.requestId, wakeSeq: 1 });
    expect(t.queue.sent).toEqual([]);
    expect(t.logs.some((l) => l.includes('"event":"step-written"'))).toBe(true);
    expect(t.logs.some((l) => l.includes('"event":"wake-scheduled"'))).toBe(false);
  });

  it("sends a delayed continuation through the queue SDK with its delay, and returns nothing", async () => {
    const t = install();
    const job = makeJob({ now: t.clock.now() });
    await t.jobs.createJobs([job]);
    t.engine.once((j) =>
      Promise.resolve<StepResult>({
        job: j,
        next: { type: "wait", ms: 45_000, reason: "retry" },
        events: [],
      }),
    );
    const out = await wakeQueueHandler(
      { jobId: job.jobId, requestId: job.requestId, wakeSeq: 0 },
      t.context(),
    );
    expect(out).toBeUndefined();
    expect(t.queue.sent).toEqual([
      { message: { jobId: job.jobId, requestId: job.requestId, wakeSeq: 1 }, delayMs: 45_000 },
    ]);
    // Said once the wake is in the queue (a test kills the host on it: test/e2e/localhost.test.ts); never for
    // an immediate continuation, which the host writes after the handler.
    const scheduled = t.logs.filter((l) => l.includes('"event":"wake-scheduled"'));
    expect(scheduled).toHaveLength(1);
    expect(scheduled[0]).toContain('"wakeSeq":1,"delayMs":45000');
    expect(t.logs.findIndex((l) => l.includes("wake-scheduled"))).toBeGreaterThan(
      t.logs.findIndex((l) => l.includes("step-written")),
    );
  });

  it("sends malformed messages and unknown jobs to poison once, with the reason, one warning each, no secret", async () => {
    const t = install();
    expect(
      await wakeQueueHandler(
        { id: "x", uploadUrl: "https://secret.example/up?tempauth=s3cr3t" },
        t.context(),
      ),
    ).toBeUndefined();
    expect(await wakeQueueHandler("garbage!", t.context())).toBeUndefined();
    expect(
      await wakeQueueHandler({ jobId: "ghost", requestId: "r", wakeSeq: 0 }, t.context()),
    ).toBeUndefined();
    expect(t.engine.calls).toEqual([]);
    expect(t.rejected.records.map((r) => r.reason)).toEqual(["unknown-fields", "not-base64", "unknown-job"]);
    expect(
      t.logs.filter((l) => l.startsWith("warning") && l.includes('"event":"wake-rejected"')),
    ).toHaveLength(3);
    expect(t.logs.filter((l) => l.startsWith("error"))).toEqual([]);
    expect(JSON.stringify(t.rejected.records) + t.logs.join("\n")).not.toContain("s3cr3t");
  });

  it("returns nothing for a terminal job", async () => {
    const t = install();
    const job = makeJob({ now: t.clock.now(), status: "completed" });
    await t.jobs.createJobs([job]);
    expect(await wakeQueueHandler({ jobId: job.jobId, wakeSeq: 0 }, t.context())).toBeUndefined();
    expect(t.engine.calls).toEqual([]);
  });
});

describe("upload request function", () => {
  function withFile() {
    const root = mkdtempSync(path.join(tmpdir(), "gm-fn-"));
    writeFileSync(path.join(root, "a.bin"), "hello");
    return { t: install({ ALLOWED_FILE_ROOTS: root }), file: path.join(root, "a.bin") };
  }

  it("hands the first wakes to the queue output binding, so the host starts the steps at once", async () => {
    const { t, file } = withFile();
    const context = t.context();
    const response = await createUploadFunction(
      jsonRequest({
        source: { type: "file", path: file },
        destinations: [
          { type: "drive", driveId: "b!abc", path: "/in/" },
          { type: "drive", driveId: "b!def", path: "/in/" },
        ],
      }),
      context,
    );
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    expect(context.extraOutputs.get(wakeQueueOutput)).toEqual([
      { jobId: `${id}-1`, wakeSeq: 0, requestId: id },
      { jobId: `${id}-2`, wakeSeq: 0, requestId: id },
    ]);
    // Not also through the queue SDK: that would wake each job twice.
    expect(t.queue.sent).toEqual([]);
    expect((await t.jobs.listByRequest(id)).map((row) => row.job.status)).toEqual(["queued", "queued"]);
  });

  it("sets no output for a refused request", async () => {
    const { t } = withFile();
    const context = t.context();
    const response = await createUploadFunction(
      jsonRequest({ source: { type: "file", path: "/etc/passwd" }, destinations: [] }),
      context,
    );
    expect(response.status).toBe(400);
    expect(context.extraOutputs.get(wakeQueueOutput)).toBeUndefined();
    expect(t.queue.sent).toEqual([]);
  });
});

describe("poison function", () => {
  it("marks the job failed with code poisoned", async () => {
    const t = install();
    const job = makeJob({ now: t.clock.now() });
    await t.jobs.createJobs([job]);
    await poisonHandler({ jobId: job.jobId, requestId: job.requestId, wakeSeq: 0 }, t.context());
    const row = await t.jobs.get(job.jobId);
    expect(row?.job.status).toBe("failed");
    expect(row?.job.lastError?.code).toBe("poisoned");
  });
});

describe("sweeper function", () => {
  it("runs every five minutes and re-wakes overdue jobs", async () => {
    const t = install();
    expect(SWEEP_SCHEDULE).toBe("0 */5 * * * *");
    const job = makeJob({ now: t.clock.now() - 10 * 60_000 });
    await t.jobs.createJobs([job]);
    const timer: Timer = {
      isPastDue: false,
      schedule: { adjustForDST: false },
      scheduleStatus: { last: "", next: "", lastUpdated: "" },
    };
    const report = await sweeperHandler(timer, t.context());
    expect(report.woken).toBe(1);
    expect(t.queue.sent.map((s) => s.message)).toEqual([
      { jobId: job.jobId, requestId: job.requestId, wakeSeq: 1 },
    ]);
  });
});
