import { describe, expect, it } from "vitest";
import { JobRowCache } from "../../../src/core/pipeline/jobRowCache.js";
import { processWake, type WorkerDeps } from "../../../src/core/pipeline/worker.js";
import type { JobStore, StoredJob, WakeMessage } from "../../../src/core/ports/stores.js";
import { MemoryJobStore } from "../../../src/store/memoryJobStore.js";
import { MemoryThrottleStore } from "../../../src/store/memoryThrottleStore.js";
import { CountingJobStore } from "../../support/pipeline/countingJobStore.js";
import { makeJob } from "../../support/pipeline/jobs.js";
import { ManualClock } from "../../support/pipeline/manualClock.js";
import { ScriptedEngine } from "../../support/pipeline/scriptedEngine.js";

function setup() {
  const clock = new ManualClock();
  const memory = new MemoryJobStore();
  const store = new CountingJobStore(memory);
  const throttle = new MemoryThrottleStore();
  const engine = new ScriptedEngine(clock);
  let leaseCounter = 0;
  /** One worker instance: its own row cache, as each Functions instance has (src/app/services.ts). */
  const instance = (rowCache = new JobRowCache()) => {
    const deps: WorkerDeps = {
      store,
      throttle,
      clock,
      runStep: engine.runStep,
      cancelJob: engine.cancelJob,
      leaseMs: 180_000,
      stepDeadlineMs: 120_000,
      newLeaseId: () => `lease-${++leaseCounter}`,
      rowCache,
    };
    return { rowCache, wake: (message: WakeMessage) => processWake(message, deps) };
  };
  const job = makeJob({ now: clock.now() });
  const wake = (wakeSeq: number): WakeMessage => ({ jobId: job.jobId, requestId: job.requestId, wakeSeq });
  const stored = async () => {
    const found = await memory.get(job.jobId, job.requestId);
    if (!found) throw new Error("row missing");
    return found;
  };
  return { clock, store, engine, instance, job, wake, stored };
}

/** What DELETE /api/uploads/{id} leaves on a row (src/core/pipeline/cancelRequest.ts): the flag raised, nothing else. */
async function raiseCancel(store: JobStore, row: StoredJob): Promise<void> {
  const { etag, ...rest } = row;
  await store.replace({ ...rest, cancelRequested: true }, etag);
}

describe("row cache in processWake", () => {
  it("(a) starts the next wake of a job from the row it wrote, without reading it", async () => {
    const t = setup();
    await t.store.createJobs([t.job]);
    const worker = t.instance();
    expect((await worker.wake(t.wake(0))).kind).toBe("stepped");
    expect(t.store.gets).toBe(1);
    expect(worker.rowCache.size).toBe(1);

    t.store.reset();
    const second = await worker.wake(t.wake(1));
    expect(second.kind).toBe("stepped");
    expect(t.store.gets).toBe(0);
    expect(t.store.replaces).toBe(2); // take the lease, write the result: never skipped
    expect(t.engine.calls).toEqual([t.job.jobId, t.job.jobId]);
    const row = await t.stored();
    expect(row.wakeSeq).toBe(2);
    expect(row.job.confirmedOffset).toBe(2 * 327_680);
    expect(row.leaseOwner).toBeUndefined();

    // Two more wakes finish the job; a terminal job leaves nothing behind in the cache.
    t.store.reset();
    expect((await worker.wake(t.wake(2))).kind).toBe("stepped");
    const last = await worker.wake(t.wake(3));
    expect(last.kind === "stepped" && last.job.status).toBe("completed");
    expect(t.store.gets).toBe(0);
    expect(worker.rowCache.size).toBe(0);
  });

  it("(b) honours a cancellation requested between steps: the cached ETag fails and the re-read sees it", async () => {
    const t = setup();
    await t.store.createJobs([t.job]);
    const worker = t.instance();
    expect((await worker.wake(t.wake(0))).kind).toBe("stepped");
    await raiseCancel(t.store, await t.stored());

    t.store.reset();
    const next = await worker.wake(t.wake(1));
    expect(next.kind === "stepped" && next.job.status).toBe("cancelled");
    expect(t.store.gets).toBe(1); // the re-read after the cached lease write lost
    expect(t.engine.cancels).toEqual([t.job.jobId]);
    expect(t.engine.calls).toEqual([t.job.jobId]); // no upload step after the cancel request
    expect((await t.stored()).job.status).toBe("cancelled");
    expect(worker.rowCache.size).toBe(0);
  });

  it("(b) honours a cancellation requested between steps while the drive is throttled", async () => {
    const t = setup();
    await t.store.createJobs([t.job]);
    const worker = t.instance();
    const throttle = new MemoryThrottleStore();
    expect((await worker.wake(t.wake(0))).kind).toBe("stepped");
    await raiseCancel(t.store, await t.stored());
    // The cached row knows no cancellation, so the throttle check runs first and its write must lose.
    await throttle.block("b!drive-one", t.clock.now() + 60_000);
    const deps: WorkerDeps = {
      store: t.store,
      throttle,
      clock: t.clock,
      runStep: t.engine.runStep,
      cancelJob: t.engine.cancelJob,
      leaseMs: 180_000,
      stepDeadlineMs: 120_000,
      rowCache: worker.rowCache,
    };
    const next = await processWake(t.wake(1), deps);
    expect(next.kind === "stepped" && next.job.status).toBe("cancelled");
    expect(t.engine.cancels).toEqual([t.job.jobId]);
  });

  it("(c) steps once when a duplicate is delivered to a second instance with its own cache", async () => {
    const t = setup();
    await t.store.createJobs([t.job]);
    const a = t.instance();
    const b = t.instance();
    expect((await a.wake(t.wake(0))).kind).toBe("stepped");

    // The continuation is delivered twice: to B first, then to A, which holds the row it wrote in its cache.
    expect((await b.wake(t.wake(1))).kind).toBe("stepped");
    t.store.reset();
    expect(await a.wake(t.wake(1))).toEqual({ kind: "dropped", reason: "stale" });
    expect(t.store.gets).toBe(1);
    expect(t.engine.calls).toHaveLength(2);
    const row = await t.stored();
    expect(row.wakeSeq).toBe(2);
    expect(row.job.confirmedOffset).toBe(2 * 327_680);
  });

  it("(c) lets only one of two instances step when the same wake reaches both at once", async () => {
    const t = setup();
    await t.store.createJobs([t.job]);
    const a = t.instance();
    const b = t.instance();
    expect((await a.wake(t.wake(0))).kind).toBe("stepped");
    const results = await Promise.all([a.wake(t.wake(1)), b.wake(t.wake(1))]);
    expect(results.map((r) => r.kind).sort()).toEqual(["dropped", "stepped"]);
    expect(t.engine.calls).toHaveLength(2);
    expect(t.engine.maxConcurrentPerJob).toBe(1);
    expect((await t.stored()).wakeSeq).toBe(2);
  });

  it("(d) reads the row for a wake whose wakeSeq is not the cached one, and drops a stale one as before", async () => {
    const t = setup();
    await t.store.createJobs([t.job]);
    const a = t.instance();
    expect((await a.wake(t.wake(0))).kind).toBe("stepped");
    const writtenByA = await t.stored();

    // A late duplicate of the first message: older than the cached row.
    t.store.reset();
    expect(await a.wake(t.wake(0))).toEqual({ kind: "dropped", reason: "stale" });
    expect(t.store.gets).toBe(1);
    expect(t.engine.calls).toHaveLength(1);

    // A newer wake than A's cache (another instance stepped the job): read, and stepped as usual.
    const b = t.instance();
    expect((await b.wake(t.wake(1))).kind).toBe("stepped");
    const c = t.instance();
    c.rowCache.store(await t.stored());
    t.store.reset();
    expect((await c.wake(t.wake(2))).kind).toBe("stepped"); // C's entry is current, so it is used
    expect(t.store.gets).toBe(0);
    a.rowCache.store(writtenByA); // A still holds the row of wakeSeq 1
    t.store.reset();
    expect((await a.wake(t.wake(3))).kind).toBe("stepped");
    expect(t.store.gets).toBe(1);
    expect(t.engine.calls).toHaveLength(4);
  });

  it("forgets a job's row when its step fails", async () => {
    const t = setup();
    await t.store.createJobs([t.job]);
    const worker = t.instance();
    expect((await worker.wake(t.wake(0))).kind).toBe("stepped");
    t.engine.once(() => Promise.reject(new Error("boom")));
    await expect(worker.wake(t.wake(1))).rejects.toThrow("boom");
    expect(worker.rowCache.size).toBe(0);
    // The redelivery reads the released row and steps.
    t.store.reset();
    expect((await worker.wake(t.wake(1))).kind).toBe("stepped");
    expect(t.store.gets).toBe(1);
  });
});

describe("JobRowCache", () => {
  const rowFor = (jobId: string, wakeSeq: number): StoredJob => ({
    job: { ...makeJob(), jobId },
    etag: `etag-${jobId}-${wakeSeq}`,
    wakeSeq,
  });

  it("serves an entry once, and only for its wakeSeq", () => {
    const cache = new JobRowCache(4);
    cache.store(rowFor("j1", 3));
    expect(cache.take("j1", 3)?.etag).toBe("etag-j1-3");
    expect(cache.take("j1", 3)).toBeUndefined();
    cache.store(rowFor("j1", 4));
    expect(cache.take("j1", 5)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it("evicts the least recently stored entry beyond its bound", () => {
    const cache = new JobRowCache(2);
    cache.store(rowFor("j1", 1));
    cache.store(rowFor("j2", 1));
    cache.store(rowFor("j1", 2));
    cache.store(rowFor("j3", 1));
    expect(cache.size).toBe(2);
    expect(cache.take("j2", 1)).toBeUndefined();
    expect(cache.take("j1", 2)?.wakeSeq).toBe(2);
    expect(cache.take("j3", 1)?.wakeSeq).toBe(1);
  });

  it("refuses a bound that is not a positive integer", () => {
    expect(() => new JobRowCache(0)).toThrow("maxEntries");
  });
});
