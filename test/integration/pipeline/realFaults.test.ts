import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isTerminal } from "../../../src/core/job/job.js";
import { DEFAULT_DRIVE_IDS, DEFAULT_LIMITS, type RunningEmulator } from "../../../src/emulator/index.js";
import { ManualClock } from "../../support/pipeline/manualClock.js";
import { realPipeline } from "../../support/pipeline/realPipeline.js";
import { type SourceFixture, startSourceFixture } from "../../support/pipeline/sourceFixture.js";

const CHUNK = 327_680;
const driveId = DEFAULT_DRIVE_IDS.opsDocuments;
const clock = new ManualClock(Date.now());
let emu: RunningEmulator;
let source: Buffer;
let sourcePath: string;

let fixture: SourceFixture | undefined;
beforeAll(async () => {
  fixture = await startSourceFixture(clock, 6 * CHUNK + 99, "pipeline-faults-");
  ({ emu, source, sourcePath } = fixture);
});
afterAll(async () => {
  await fixture?.close();
});

describe("queue pipeline with the real engine under faults", () => {
  it("starts a new session when the first one expires mid-upload, and ends byte-identical", async () => {
    const pipeline = realPipeline({ emu, clock });
    emu.inspect.clearLog();
    const job = await pipeline.submit({
      jobId: "expiry",
      sourcePath,
      driveId,
      path: "/faults/expiry.bin",
      chunkSize: CHUNK,
    });
    const row = () => pipeline.store.get(job.jobId, job.requestId);
    while (((await row())?.job.confirmedOffset ?? 0) < 2 * CHUNK) {
      if (!(await pipeline.host.deliverOne())) throw new Error("queue ran dry before two chunks");
    }
    // The session's sliding expiry passes while the job sits in the queue.
    clock.advance(DEFAULT_LIMITS.sessionSlidingTtlMs + 60_000);
    await pipeline.host.runUntil(async () => isTerminal((await row())?.job.status ?? "queued"), 500);
    const final = await row();
    expect(final?.job.status).toBe("completed");
    expect(final?.job.attempts.sessions).toBe(2);
    expect(emu.inspect.readItem(driveId, "/faults/expiry.bin")?.equals(source)).toBe(true);
    expect(
      emu.inspect.requestLog().filter((r) => r.route === "createUploadSession" && r.status === 200),
    ).toHaveLength(2);
  });

  it("a 429 on one job holds back every job writing to that drive until Retry-After", async () => {
    const pipeline = realPipeline({ emu, clock });
    emu.inspect.clearLog();
    emu.faults.add({
      match: { route: "uploadFragment", nth: 2 },
      fault: { type: "status", status: 429, retryAfterSeconds: 30 },
    });
    const a = await pipeline.submit({
      jobId: "thr-a",
      sourcePath,
      driveId,
      path: "/faults/a.bin",
      chunkSize: CHUNK,
    });
    const b = await pipeline.submit({
      jobId: "thr-b",
      sourcePath,
      driveId,
      path: "/faults/b.bin",
      chunkSize: CHUNK,
    });
    const done = async () =>
      (await Promise.all([a, b].map((j) => pipeline.store.get(j.jobId, j.requestId)))).every(
        (r) => r !== undefined && isTerminal(r.job.status),
      );
    await pipeline.host.runUntil(done, 500);
    for (const [j, p] of [
      [a, "/faults/a.bin"],
      [b, "/faults/b.bin"],
    ] as const) {
      expect((await pipeline.store.get(j.jobId, j.requestId))?.job.status).toBe("completed");
      expect(emu.inspect.readItem(driveId, p)?.equals(source)).toBe(true);
    }
    const log = emu.inspect.requestLog();
    const index = log.findIndex((r) => r.status === 429);
    const throttledAt = log[index]?.at;
    if (throttledAt === undefined) throw new Error("the 429 never fired");
    // Every request that came after the 429 (log order; the virtual clock stands still between steps).
    const after = log.slice(index + 1);
    expect(after.length).toBeGreaterThan(0);
    // No request to the drive, from either job, before Retry-After ran out.
    expect(after.every((r) => r.at >= throttledAt + 30_000)).toBe(true);
    const throttled = pipeline.host.deliveries.filter(
      (d) => d.kind === "result" && d.result.kind === "throttled",
    );
    expect(throttled.length).toBeGreaterThanOrEqual(1);
  });
});
