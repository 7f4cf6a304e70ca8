import { describe, expect, it } from "vitest";
import type { StepResult, UploadJob } from "../../../src/core/job/job.js";
import { LEASE_END_SLACK_MS } from "../../../src/core/pipeline/leaseWait.js";
import { handlePoison } from "../../../src/core/pipeline/poison.js";
import { sweep } from "../../../src/core/pipeline/sweeper.js";
import { processWake, type WorkerDeps } from "../../../src/core/pipeline/worker.js";
import type { StoredJob, WakeMessage } from "../../../src/core/ports/stores.js";
import { MemoryJobStore } from "../../../src/store/memoryJobStore.js";
import { MemoryThrottleStore } from "../../../src/store/memoryThrottleStore.js";
import { MemoryWakeQueue } from "../../../src/store/memoryWakeQueue.js";
import { makeJob } from "../../support/pipeline/jobs.js";
import { ManualClock } from "../../support/pipeline/manualClock.js";
import { MAX_DEQUEUE_COUNT, QueueHost, SWEEP_PERIOD_MS } from "../../support/pipeline/queueHost.js";
import { ScriptedEngine } from "../../support/pipeline/scriptedEngine.js";

const LEASE_MS = 180_000;
const GRACE_MS = 120_000;

function setup() {
  const clock = new ManualClock();
  const store = new MemoryJobStore();
  const throttle = new MemoryThrottleStore();
  const queue = new MemoryWakeQueue(clock);
  const engine = new ScriptedEngine(clock);
  const resumed: string[] = [];
  let leaseCounter = 0;
  const worker = (): WorkerDeps => ({
    store,
    throttle,
    clock,
    runStep: engine.runStep,
    cancelJob: engine.cancelJob,
    resume: (job) => {
      resumed.push(job.jobId);
      return job;
    },
    leaseMs: LEASE_MS,
    stepDeadlineMs: 120_000,
    newLeaseId: () => `lease-${++leaseCounter}`,
  });
  const host = new QueueHost({
    queue,
    clock,
    worker,
    poison: () => ({ store, clock }),
    sweeper: () => ({ store, queue, clock, graceMs: GRACE_MS, batch: 100 }),
  });
  const submit = async (...jobs: UploadJob[]) => {
    await store.createJobs(jobs);
    for (const job of jobs) await queue.send({ jobId: job.jobId, requestId: job.requestId, wakeSeq: 0 }, 0);
  };
  const status = async (job: UploadJob) => (await store.get(job.jobId, job.requestId))?.job.status;
  return { clock, store, throttle, queue, engine, worker, host, submit, status, resumed };
}

function row(stored: StoredJob | undefined): StoredJob {
  if (!stored) throw new Error("row missing");
  return stored;
}

function gate<T>() {
  let open: (value: T) => void = () => {};
  const promise = new Promise<T>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

describe("processWake", () => {
  it("runs a job to completion, one step per delivery, each continuation sent after the row", async () => {
    const t = setup();
    const job = makeJob({ now: t.clock.now() });
    await t.submit(job);
    await t.host.runUntil(async () => (await t.status(job)) === "completed");
    expect(t.engine.calls).toHaveLength(4); // 3 chunks + completion
    expect(t.host.deliveries).toHaveLength(4);
    const final = row(await t.store.get(job.jobId, job.requestId));
    expect(final.job.confirmedOffset).toBe(3 * 327_680);
    expect(final.wakeSeq).toBe(3);
    expect(final.leaseOwner).toBeUndefined();
    expect(t.queue.length).toBe(0);
  });

  it("drops stale, duplicate, unknown and terminal deliveries without calling the step", async () => {
    const t = setup();
    const job = makeJob({ now: t.clock.now() });
    await t.submit(job);
    const wake0: WakeMessage = { jobId: job.jobId, requestId: job.requestId, wakeSeq: 0 };
    const first = await processWake(wake0, t.worker());
    expect(first.kind).toBe("stepped");
    expect(t.engine.calls).toHaveLength(1);
    // The same message again (duplicate delivery): its wakeSeq is now stale.
    expect(await processWake(wake0, t.worker())).toEqual({ kind: "dropped", reason: "stale" });
    expect(await processWake({ ...wake0, wakeSeq: 7 }, t.worker())).toEqual({
      kind: "dropped",
      reason: "stale",
    });
    expect(await processWake({ jobId: "nope", wakeSeq: 0 }, t.worker())).toEqual({
      kind: "dropped",
      reason: "unknown-job",
    });
    const done = makeJob({ now: t.clock.now(), status: "completed" });
    await t.store.createJobs([done]);
    expect(await processWake({ jobId: done.jobId, wakeSeq: 0 }, t.worker())).toEqual({
      kind: "dropped",
      reason: "terminal",
    });
    expect(t.engine.calls).toHaveLength(1);
  });

  it("moves a duplicate that arrives mid-step to the lease's end, once; the holder still writes its result", async () => {
    const t = setup();
    const job = makeJob({ now: t.clock.now() });
    await t.submit(job);
    const hold = gate<void>();
    t.engine.once((j) => hold.promise.then(() => t.engine.advance(j)));
    const wake: WakeMessage = { jobId: job.jobId, requestId: job.requestId, wakeSeq: 0 };
    const running = processWake(wake, t.worker());
    await new Promise((r) => setImmediate(r));
    const leaseUntil = row(await t.store.get(job.jobId, job.requestId)).leaseUntil ?? 0;
    expect(await processWake(wake, t.worker())).toEqual({
      kind: "deferred",
      continuation: {
        later: { ...wake, wakeSeq: 1 },
        delayMs: leaseUntil - t.clock.now() + LEASE_END_SLACK_MS,
      },
    });
    // Two more copies of the same message: stale now, so no second delayed wake.
    expect(await processWake(wake, t.worker())).toEqual({ kind: "dropped", reason: "stale" });
    expect(await processWake(wake, t.worker())).toEqual({ kind: "dropped", reason: "stale" });
    hold.open();
    const stepped = await running;
    expect(stepped.kind).toBe("stepped");
    // The holder accepted the bump and scheduled past it, so the delayed wake (wakeSeq 1) is stale too.
    expect(stepped.kind === "stepped" && stepped.continuation).toEqual({ now: { ...wake, wakeSeq: 2 } });
    expect(await processWake({ ...wake, wakeSeq: 1 }, t.worker())).toEqual({
      kind: "dropped",
      reason: "stale",
    });
    expect(t.engine.calls).toHaveLength(1);
  });

  it("lets only one of two racing workers run the step", async () => {
    const t = setup();
    const job = makeJob({ now: t.clock.now() });
    await t.submit(job);
    const wake: WakeMessage = { jobId: job.jobId, requestId: job.requestId, wakeSeq: 0 };
    const results = await Promise.all([processWake(wake, t.worker()), processWake(wake, t.worker())]);
    expect(results.map((r) => r.kind).sort()).toEqual(["dropped", "stepped"]);
    expect(results.find((r) => r.kind === "dropped")).toEqual({ kind: "dropped", reason: "lost-race" });
    expect(t.engine.calls).toHaveLength(1);
    expect(t.engine.maxConcurrentPerJob).toBe(1);
  });

  it("takes over after the lease expires, resumes the job, and throws the old worker's late result away", async () => {
    const t = setup();
    const job = makeJob({ now: t.clock.now() });
    await t.submit(job);
    const stuck = gate<void>();
    t.engine.once((j) => stuck.promise.then(() => t.engine.advance(j)));
    const wake: WakeMessage = { jobId: job.jobId, requestId: job.requestId, wakeSeq: 0 };
    const oldWorker = processWake(wake, t.worker());
    await new Promise((r) => setImmediate(r));
    t.clock.advance(LEASE_MS - 1);
    const deferred = await processWake(wake, t.worker());
    expect(deferred.kind).toBe("deferred");
    t.clock.advance(2);
    // The original message is stale now; the deferred one takes over.
    expect(await processWake(wake, t.worker())).toEqual({ kind: "dropped", reason: "stale" });
    const takeover = await processWake({ ...wake, wakeSeq: 1 }, t.worker());
    expect(takeover.kind).toBe("stepped");
    expect(t.resumed).toEqual([job.jobId]);
    stuck.open();
    expect(await oldWorker).toEqual({ kind: "dropped", reason: "lost-lease" });
    const stored = row(await t.store.get(job.jobId, job.requestId));
    expect(stored.job.confirmedOffset).toBe(327_680);
    expect(stored.wakeSeq).toBe(2);
  });

  it("a 429 on one job delays another job on the same drive, without calling the step, but not other drives", async () => {
    const t = setup();
    const a = makeJob({ now: t.clock.now() });
    const b = makeJob({ now: t.clock.now() });
    const c = makeJob({
      now: t.clock.now(),
      destination: { type: "drive", driveId: "b!drive-two", path: "/x.bin" },
    });
    await t.submit(a);
    const until = t.clock.now() + 30_000;
    t.engine.once((j) =>
      Promise.resolve<StepResult>({
        job: { ...j, status: "uploading" },
        next: { type: "wait", ms: 30_000, reason: "throttled" },
        events: [],
        throttleDriveUntil: { driveId: "b!drive-one", until },
      }),
    );
    const first = await processWake({ jobId: a.jobId, requestId: a.requestId, wakeSeq: 0 }, t.worker());
    expect(first.kind === "stepped" && first.continuation).toEqual({
      later: { jobId: a.jobId, requestId: a.requestId, wakeSeq: 1 },
      delayMs: 30_000,
    });
    expect(await t.throttle.blockedUntil("b!drive-one")).toBe(until);

    await t.store.createJobs([b]);
    await t.store.createJobs([c]);
    t.clock.advance(10_000);
    const delayed = await processWake({ jobId: b.jobId, requestId: b.requestId, wakeSeq: 0 }, t.worker());
    expect(delayed).toEqual({
      kind: "throttled",
      continuation: { later: { jobId: b.jobId, requestId: b.requestId, wakeSeq: 1 }, delayMs: 20_000 },
    });
    expect(t.engine.calls).toEqual([a.jobId]);
    const other = await processWake({ jobId: c.jobId, requestId: c.requestId, wakeSeq: 0 }, t.worker());
    expect(other.kind).toBe("stepped");
    expect(row(await t.store.get(b.jobId, b.requestId)).job.nextWakeAt).toBe(until);

    t.clock.advance(20_000);
    const later = await processWake({ jobId: b.jobId, requestId: b.requestId, wakeSeq: 1 }, t.worker());
    expect(later.kind).toBe("stepped");
    expect(t.engine.calls).toEqual([a.jobId, c.jobId, b.jobId]);
  });

  it("releases the lease when the step throws, marks the job for a resync, and rethrows", async () => {
    const t = setup();
    const job = makeJob({ now: t.clock.now() });
    await t.submit(job);
    t.engine.once(() => Promise.reject(new Error("boom")));
    const wake: WakeMessage = { jobId: job.jobId, requestId: job.requestId, wakeSeq: 0 };
    await expect(processWake(wake, t.worker())).rejects.toThrow("boom");
    const stored = row(await t.store.get(job.jobId, job.requestId));
    expect(stored.leaseOwner).toBeUndefined();
    expect(stored.wakeSeq).toBe(0);
    expect(t.resumed).toEqual([job.jobId]);
    expect((await processWake(wake, t.worker())).kind).toBe("stepped");
  });

  it("passes the step a deadline signal and disposes of it afterwards", async () => {
    const t = setup();
    const job = makeJob({ now: t.clock.now() });
    await t.submit(job);
    const controller = new AbortController();
    let disposed = false;
    let seen: AbortSignal | undefined;
    t.engine.once((j, signal) => {
      seen = signal;
      return Promise.resolve(t.engine.advance(j));
    });
    await processWake(
      { jobId: job.jobId, requestId: job.requestId, wakeSeq: 0 },
      {
        ...t.worker(),
        deadline: (ms) => {
          expect(ms).toBe(120_000);
          return {
            signal: controller.signal,
            dispose: () => {
              disposed = true;
            },
          };
        },
      },
    );
    expect(seen).toBe(controller.signal);
    expect(disposed).toBe(true);
  });

  it("keeps a cancellation requested during a step, then cancels on the next wake", async () => {
    const t = setup();
    const job = makeJob({ now: t.clock.now() });
    await t.submit(job);
    const hold = gate<void>();
    t.engine.once((j) => hold.promise.then(() => t.engine.advance(j)));
    const running = processWake({ jobId: job.jobId, requestId: job.requestId, wakeSeq: 0 }, t.worker());
    await new Promise((r) => setImmediate(r));
    // What DELETE /api/uploads/{id} does to a leased job (src/core/pipeline/cancelRequest.ts): raise the flag only.
    const leased = row(await t.store.get(job.jobId, job.requestId));
    const { etag, ...rest } = leased;
    await t.store.replace({ ...rest, cancelRequested: true, cancelledBy: "oid:canceller" }, etag);
    hold.open();
    const result = await running;
    expect(result.kind === "stepped" && result.continuation).toEqual({
      now: { jobId: job.jobId, requestId: job.requestId, wakeSeq: 1 },
    });
    const kept = row(await t.store.get(job.jobId, job.requestId));
    expect(kept.cancelRequested).toBe(true);
    expect(kept.cancelledBy).toBe("oid:canceller");
    expect(kept.job.cancelledBy).toBeUndefined(); // not cancelled yet
    expect(kept.job.confirmedOffset).toBe(327_680);
    const next = await processWake({ jobId: job.jobId, requestId: job.requestId, wakeSeq: 1 }, t.worker());
    expect(next.kind === "stepped" && next.job.status).toBe("cancelled");
    expect(next.kind === "stepped" && next.job.cancelledBy).toBe("oid:canceller");
    expect(row(await t.store.get(job.jobId, job.requestId)).job.cancelledBy).toBe("oid:canceller");
    expect(t.engine.cancels).toEqual([job.jobId]);
    expect(t.engine.calls).toEqual([job.jobId]);
  });
});

describe("poison handling", () => {
  it("marks a job failed with code poisoned after every delivery failed", async () => {
    const t = setup();
    const job = makeJob({ now: t.clock.now() });
    await t.submit(job);
    for (let i = 0; i < MAX_DEQUEUE_COUNT; i++) t.engine.once(() => Promise.reject(new Error("always")));
    await t.host.runUntil(async () => (await t.status(job)) === "failed");
    const failed = row(await t.store.get(job.jobId, job.requestId));
    expect(failed.job.lastError?.code).toBe("poisoned");
    expect(failed.job.lastError?.message).toContain(job.jobId);
    expect(failed.job.lastError?.message).toMatch(/kept failing.*function logs/);
    expect(t.host.deliveries.filter((d) => d.kind === "error")).toHaveLength(MAX_DEQUEUE_COUNT - 1);
    expect(t.host.deliveries.at(-1)).toEqual({ kind: "poisoned", outcome: "failed" });
    expect(t.engine.calls).toHaveLength(MAX_DEQUEUE_COUNT);
  });

  it("leaves terminal jobs and jobs that moved on alone", async () => {
    const t = setup();
    const job = makeJob({ now: t.clock.now() });
    await t.submit(job);
    await processWake({ jobId: job.jobId, requestId: job.requestId, wakeSeq: 0 }, t.worker());
    const deps = { store: t.store, clock: t.clock };
    expect(await handlePoison({ jobId: job.jobId, requestId: job.requestId, wakeSeq: 0 }, deps)).toBe(
      "stale",
    );
    expect(await t.status(job)).toBe("uploading");
    const done = makeJob({ now: t.clock.now(), status: "completed" });
    await t.store.createJobs([done]);
    expect(await handlePoison({ jobId: done.jobId, wakeSeq: 0 }, deps)).toBe("terminal");
    expect(await handlePoison({ jobId: "gone", wakeSeq: 0 }, deps)).toBe("unknown-job");
  });

  it("deletes the upload session of a poisoned job when no lease is live", async () => {
    const t = setup();
    const job = makeJob({
      now: t.clock.now(),
      status: "uploading",
      session: {
        uploadUrl: "https://upload.example/secret",
        createdAt: t.clock.now(),
        expiresAt: t.clock.now() + 1e6,
      },
    });
    await t.store.createJobs([job]);
    const deleted: string[] = [];
    const outcome = await handlePoison(
      { jobId: job.jobId, requestId: job.requestId, wakeSeq: 0 },
      {
        store: t.store,
        clock: t.clock,
        deleteSession: async (j) => {
          deleted.push(j.session?.uploadUrl ?? "");
        },
      },
    );
    expect(outcome).toBe("failed");
    expect(deleted).toEqual(["https://upload.example/secret"]);
    expect(row(await t.store.get(job.jobId)).job.session).toBeUndefined();
  });
});

describe("sweeper", () => {
  it("re-wakes a job whose continuation was lost, and the slow original becomes stale", async () => {
    const t = setup();
    const job = makeJob({ now: t.clock.now() });
    await t.submit(job);
    const first = await processWake({ jobId: job.jobId, requestId: job.requestId, wakeSeq: 0 }, t.worker());
    expect(first.kind).toBe("stepped");
    // Crash here: the row is written, the continuation (wakeSeq 1) is never sent.
    const sweepDeps = { store: t.store, queue: t.queue, clock: t.clock, graceMs: GRACE_MS, batch: 100 };
    t.clock.advance(GRACE_MS - 1);
    expect(await sweep(sweepDeps)).toEqual({ woken: 0, raced: 0, failed: 0 });
    t.clock.advance(2);
    expect(await sweep(sweepDeps)).toEqual({ woken: 1, raced: 0, failed: 0 });
    expect(t.queue.sent.at(-1)?.message).toEqual({ jobId: job.jobId, requestId: job.requestId, wakeSeq: 2 });
    // The lost continuation turns up after all: stale, dropped.
    expect(await processWake({ jobId: job.jobId, requestId: job.requestId, wakeSeq: 1 }, t.worker())).toEqual(
      {
        kind: "dropped",
        reason: "stale",
      },
    );
    await t.host.runUntil(async () => (await t.status(job)) === "completed");
    expect(t.engine.calls).toHaveLength(4);
  });

  it("recovers a job whose worker died holding the lease, within lease + grace + one period", async () => {
    const t = setup();
    const job = makeJob({ now: t.clock.now() });
    await t.submit(job);
    const start = t.clock.now();
    const never = gate<void>();
    t.engine.once((j) => never.promise.then(() => t.engine.advance(j)));
    // The delivery "dies": its message is gone (host lost it) and its lease stays on the row.
    void processWake({ jobId: job.jobId, requestId: job.requestId, wakeSeq: 0 }, t.worker());
    await new Promise((r) => setImmediate(r));
    t.queue.delete(1);
    await t.host.runUntil(async () => (await t.status(job)) === "completed");
    expect(t.clock.now() - start).toBeLessThanOrEqual(LEASE_MS + GRACE_MS + SWEEP_PERIOD_MS);
    expect(t.resumed).toEqual([job.jobId]);
  });

  it("skips terminal, leased and not-yet-due jobs", async () => {
    const t = setup();
    const due = makeJob({ now: t.clock.now() - 1e6 });
    const future = makeJob({ now: t.clock.now(), nextWakeAt: t.clock.now() + 1e6 });
    const done = makeJob({ now: t.clock.now() - 1e6, status: "failed" });
    for (const j of [due, future, done]) await t.store.createJobs([j]);
    const report = await sweep({
      store: t.store,
      queue: t.queue,
      clock: t.clock,
      graceMs: GRACE_MS,
      batch: 10,
    });
    expect(report.woken).toBe(1);
    expect(t.queue.sent.map((s) => s.message.jobId)).toEqual([due.jobId]);
  });
});
