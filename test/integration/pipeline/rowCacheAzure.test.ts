import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseStorageConfig } from "../../../src/config/storage.js";
import { JobRowCache } from "../../../src/core/pipeline/jobRowCache.js";
import { processWake, type WorkerDeps } from "../../../src/core/pipeline/worker.js";
import type { WakeMessage } from "../../../src/core/ports/stores.js";
import { createStorage } from "../../../src/store/factory.js";
import { type RunningAzurite, startAzurite } from "../../support/azurite.js";
import { CountingJobStore } from "../../support/pipeline/countingJobStore.js";
import { makeJob } from "../../support/pipeline/jobs.js";
import { ManualClock } from "../../support/pipeline/manualClock.js";
import { ScriptedEngine } from "../../support/pipeline/scriptedEngine.js";

let azurite: RunningAzurite;

beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

describe("row cache over Table Storage (Azurite)", () => {
  it("takes the lease with the ETag the result write returned, and reads again once the row changed", async () => {
    const storage = createStorage(
      parseStorageConfig({
        AzureWebJobsStorage: azurite.connectionString,
        JOBS_TABLE: "rowcachejobs",
        THROTTLE_TABLE: "rowcachethrottle",
        WAKE_QUEUE: "rowcache-wake",
      }),
    );
    await storage.ensureResources();
    const clock = new ManualClock();
    const store = new CountingJobStore(storage.jobs);
    const engine = new ScriptedEngine(clock);
    const deps: WorkerDeps = {
      store,
      throttle: storage.throttle,
      clock,
      runStep: engine.runStep,
      cancelJob: engine.cancelJob,
      leaseMs: 180_000,
      stepDeadlineMs: 120_000,
      rowCache: new JobRowCache(),
    };
    const job = makeJob({ now: clock.now() });
    await store.createJobs([job]);
    const wake = (wakeSeq: number): WakeMessage => ({ jobId: job.jobId, requestId: job.requestId, wakeSeq });

    expect((await processWake(wake(0), deps)).kind).toBe("stepped");
    store.reset();
    expect((await processWake(wake(1), deps)).kind).toBe("stepped");
    expect(store.gets).toBe(0); // the cached ETag was accepted by Table Storage
    expect(store.replaces).toBe(2);

    // A cancellation request between steps: Table Storage answers the cached ETag with 412.
    const current = await storage.jobs.get(job.jobId, job.requestId);
    if (!current) throw new Error("row missing");
    const { etag, ...rest } = current;
    await storage.jobs.replace({ ...rest, cancelRequested: true }, etag);
    store.reset();
    const next = await processWake(wake(2), deps);
    expect(next.kind === "stepped" && next.job.status).toBe("cancelled");
    expect(store.gets).toBe(1);
    expect(engine.cancels).toEqual([job.jobId]);
    expect(engine.calls).toHaveLength(2);
  });
});
