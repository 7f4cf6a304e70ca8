import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isTerminal } from "../../../src/core/job/job.js";
import { DEFAULT_DRIVE_IDS, type RunningEmulator } from "../../../src/emulator/index.js";
import type { CrashMode } from "../../support/pipeline/crashInjector.js";
import { ManualClock } from "../../support/pipeline/manualClock.js";
import { realPipeline } from "../../support/pipeline/realPipeline.js";
import { type SourceFixture, startSourceFixture } from "../../support/pipeline/sourceFixture.js";

const CHUNK = 327_680;
const SIZE = 4 * CHUNK + 12_345; // 5 fragments, the last one short
const driveId = DEFAULT_DRIVE_IDS.opsDocuments;
/** Redelivery after a crash (10 min) + lease + sweeper grace and period, with room for backoff. */
const MAX_VIRTUAL_MS = 45 * 60_000;

const clock = new ManualClock(Date.now());
let emu: RunningEmulator;
let sourcePath: string;
let source: Buffer;

let fixture: SourceFixture | undefined;
beforeAll(async () => {
  fixture = await startSourceFixture(clock, SIZE, "crash-matrix-");
  ({ emu, source, sourcePath } = fixture);
});
afterAll(async () => {
  await fixture?.close();
});

async function runOnce(label: string, crashAt?: number, mode?: CrashMode) {
  const pipeline = realPipeline({
    emu,
    clock,
    ...(crashAt !== undefined ? { crashAt } : {}),
    ...(mode ? { mode } : {}),
  });
  const itemPath = `/crash/${label}.bin`;
  emu.inspect.clearLog();
  const job = await pipeline.submit({ jobId: label, sourcePath, driveId, path: itemPath, chunkSize: CHUNK });
  const started = clock.now();
  await pipeline.host.runUntil(async () => {
    const row = await pipeline.store.get(job.jobId, job.requestId);
    return row !== undefined && isTerminal(row.job.status);
  }, 500);
  const row = await pipeline.store.get(job.jobId, job.requestId);
  return { pipeline, row, itemPath, elapsed: clock.now() - started, log: emu.inspect.requestLog() };
}

/** Session (upload URL path) of each fragment PUT, in order: a session once left is never used again. */
function sessionsInterleave(log: ReturnType<RunningEmulator["inspect"]["requestLog"]>): boolean {
  const order = log.filter((r) => r.route === "uploadFragment").map((r) => r.path);
  const finished = new Set<string>();
  let current: string | undefined;
  for (const session of order) {
    if (session === current) continue;
    if (finished.has(session)) return true;
    if (current) finished.add(current);
    current = session;
  }
  return false;
}

describe("crash-point matrix (real engine, emulator, memory stores)", () => {
  it("completes after a crash at every I/O call, before or after the call", async () => {
    const baseline = await runOnce("baseline");
    expect(baseline.row?.job.status).toBe("completed");
    const total = baseline.pipeline.injector.calls;
    expect(total).toBeGreaterThan(20);

    const failures: string[] = [];
    for (const mode of ["before", "after"] as const) {
      for (let k = 1; k <= total; k++) {
        const label = `k${k}-${mode}`;
        const run = await runOnce(label, k, mode);
        const where = `crash ${label} at ${run.pipeline.injector.crashedAt ?? "(none)"}`;
        const bytes = emu.inspect.readItem(driveId, run.itemPath);
        // Sessions the service made (a 409 from one still alive after a crash is a refusal, not a session),
        // and every createUploadSession asked: a lost answer is waited out in a few spaced asks, not a storm.
        const created = run.log.filter((r) => r.route === "createUploadSession" && r.status === 200).length;
        const asked = run.log.filter((r) => r.route === "createUploadSession").length;
        if (run.row?.job.status !== "completed")
          failures.push(`${where}: status ${run.row?.job.status} ${JSON.stringify(run.row?.job.lastError)}`);
        else if (!bytes?.equals(source)) failures.push(`${where}: bytes differ`);
        else if (run.row.job.result?.verification !== "hash") failures.push(`${where}: not hash-verified`);
        else if (sessionsInterleave(run.log)) failures.push(`${where}: two sessions used interleaved`);
        else if (created > 2) failures.push(`${where}: ${created} sessions created`);
        else if (asked > 10) failures.push(`${where}: ${asked} createUploadSession requests`);
        else if (run.log.length > 30) failures.push(`${where}: ${run.log.length} Graph requests`);
        else if (run.elapsed > MAX_VIRTUAL_MS)
          failures.push(`${where}: took ${run.elapsed} ms of virtual time`);
      }
    }
    expect(failures, failures.join("\n")).toEqual([]);
  }, 120_000);
});
