/**
 * The worker's side of "one job per destination" (issue 16), on the in-memory twins: a supersede request that
 * lands while a step is running turns that step's completion into `superseded` (never two completed for one
 * item), and a job whose first step finds a newer holder ends superseded without running a step.
 */
import { describe, expect, it } from "vitest";
import type { StepResult } from "../../../src/core/job/job.js";
import { requestCancel } from "../../../src/core/pipeline/cancelRequest.js";
import { claimDestination } from "../../../src/core/pipeline/destinationClaim.js";
import { processWake, type WorkerDeps } from "../../../src/core/pipeline/worker.js";
import type { WakeMessage } from "../../../src/core/ports/stores.js";
import { MemoryDestinationIndex } from "../../../src/store/memoryDestinationIndex.js";
import { MemoryJobStore } from "../../../src/store/memoryJobStore.js";
import { MemoryThrottleStore } from "../../../src/store/memoryThrottleStore.js";
import { MemoryWakeQueue } from "../../../src/store/memoryWakeQueue.js";
import { makeJob } from "../../support/pipeline/jobs.js";
import { ManualClock } from "../../support/pipeline/manualClock.js";
import { ScriptedEngine } from "../../support/pipeline/scriptedEngine.js";

function setup() {
  const clock = new ManualClock();
  const store = new MemoryJobStore();
  const queue = new MemoryWakeQueue(clock);
  const destinations = new MemoryDestinationIndex();
  const engine = new ScriptedEngine(clock);
  const worker = (): WorkerDeps => ({
    store,
    throttle: new MemoryThrottleStore(),
    clock,
    runStep: engine.runStep,
    cancelJob: engine.cancelJob,
    leaseMs: 180_000,
    stepDeadlineMs: 120_000,
    claims: { destinations, wake: queue },
  });
  return { clock, store, queue, destinations, engine, worker };
}

const wakeOf = (job: { jobId: string; requestId: string }, wakeSeq: number): WakeMessage => ({
  jobId: job.jobId,
  requestId: job.requestId,
  wakeSeq,
});

describe("superseding (issue 16)", () => {
  it("a step that completes after a newer request flagged its job ends superseded, naming that request", async () => {
    const t = setup();
    const older = makeJob({ now: t.clock.now(), status: "verifying" });
    await t.store.createJobs([older]);
    let release: () => void = () => {};
    const running = new Promise<void>((resolve) => {
      release = resolve;
    });
    t.engine.once(async (job) => {
      await running;
      const done: StepResult = t.engine.advance({ ...job, confirmedOffset: job.fingerprint?.size ?? 0 });
      return done.next.type === "done"
        ? done
        : { ...done, next: { type: "done", result: { itemId: "i", size: 1, verification: "hash" } } };
    });
    const step = processWake(wakeOf(older, 0), t.worker());
    await new Promise((r) => setImmediate(r));
    const leased = await t.store.get(older.jobId, older.requestId);
    if (!leased) throw new Error("row missing");
    await requestCancel(
      leased,
      { jobs: t.store, wake: t.queue, clock: t.clock },
      { requestId: "req-new", jobId: "job-new" },
    );
    expect(t.queue.sent).toEqual([]); // leased: only the flag, no wake
    release();
    const result = await step;
    expect(result.kind === "stepped" && result.job.status).toBe("superseded");
    const row = await t.store.get(older.jobId, older.requestId);
    expect(row?.job.status).toBe("superseded");
    expect(row?.job.supersededBy).toEqual({ requestId: "req-new", jobId: "job-new" });
    expect(row?.job.lastError?.code).toBe("superseded");
  });

  it("a job whose first step finds a newer holder ends superseded without a step; the newer keeps the item", async () => {
    const t = setup();
    const older = makeJob({ now: t.clock.now() });
    t.clock.advance(1_000);
    const newer = { ...makeJob({ now: t.clock.now() }), destination: older.destination };
    await t.store.createJobs([older]);
    await t.store.createJobs([newer]);
    // The newer one's submitter claimed; the older one's submitter died before claiming.
    expect(
      await claimDestination(newer, {
        destinations: t.destinations,
        jobs: t.store,
        wake: t.queue,
        clock: t.clock,
      }),
    ).toEqual({ kind: "holder" });
    const result = await processWake(wakeOf(older, 0), t.worker());
    expect(result.kind === "stepped" && result.job.status).toBe("superseded");
    expect(result.kind === "stepped" && result.job.supersededBy).toEqual({
      requestId: newer.requestId,
      jobId: newer.jobId,
    });
    expect(t.engine.calls).toHaveLength(0);
    expect(t.engine.cancels).toHaveLength(0);
    const newerStep = await processWake(wakeOf(newer, 0), t.worker());
    expect(newerStep.kind).toBe("stepped");
    expect(t.engine.calls).toHaveLength(1);
  });
});
