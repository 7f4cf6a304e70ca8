/**
 * Issue 16: a worker that dies mid-step keeps its lease; the host redelivers the message while the lease is still
 * live. That delivery must move the wake to the lease's end (one delayed message), so the job resumes one lease
 * period after the crash, without the sweeper (which would take lease + grace + up to a sweeper period).
 *
 * Real Table Storage (Azurite) for the rows, leases and ETags; the real engine against the Graph emulator over
 * sockets; the queue is the contract-tested in-memory twin on the same injected clock, because Azurite's queue
 * delays run on wall time and this test must not sleep through a lease.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseStorageConfig } from "../../../src/config/storage.js";
import { isTerminal } from "../../../src/core/job/job.js";
import { LEASE_END_SLACK_MS } from "../../../src/core/pipeline/leaseWait.js";
import type { PipelineEvent } from "../../../src/core/pipeline/pipelineLog.js";
import { DEFAULT_DRIVE_IDS } from "../../../src/emulator/index.js";
import { createStorage } from "../../../src/store/factory.js";
import { type RunningAzurite, startAzurite } from "../../support/azurite.js";
import { ManualClock } from "../../support/pipeline/manualClock.js";
import { SWEEP_PERIOD_MS } from "../../support/pipeline/queueHost.js";
import { LEASE_MS, realPipeline } from "../../support/pipeline/realPipeline.js";
import { type SourceFixture, startSourceFixture } from "../../support/pipeline/sourceFixture.js";

const CHUNK = 327_680;
const SIZE = 4 * CHUNK + 1_000;
const driveId = DEFAULT_DRIVE_IDS.opsDocuments;
/** The local host's message lease (LOCALHOST_MESSAGE_LEASE_SECONDS default): a dead worker's message returns then. */
const MESSAGE_LEASE_MS = 60_000;

const clock = new ManualClock(Date.now());
let azurite: RunningAzurite;
let fixture: SourceFixture;

beforeAll(async () => {
  [azurite, fixture] = await Promise.all([startAzurite(), startSourceFixture(clock, SIZE, "lease-expiry-")]);
});
afterAll(async () => {
  await Promise.all([azurite?.stop(), fixture?.close()]);
});

async function run(label: string, crashAt?: number) {
  const storage = createStorage(
    parseStorageConfig({
      AzureWebJobsStorage: azurite.connectionString,
      JOBS_TABLE: `lease${label}`,
      THROTTLE_TABLE: `leasethrottle${label}`,
      WAKE_QUEUE: `lease-${label}`,
    }),
  );
  await storage.ensureResources();
  const events: (PipelineEvent & { at: number })[] = [];
  const pipeline = realPipeline({
    emu: fixture.emu,
    clock,
    store: storage.jobs,
    processingVisibilityMs: MESSAGE_LEASE_MS,
    ...(crashAt !== undefined ? { crashAt, mode: "after" as const } : {}),
    log: (event) => events.push({ ...event, at: clock.now() }),
  });
  fixture.emu.inspect.clearLog();
  const itemPath = `/lease/${label}.bin`;
  const job = await pipeline.submit({
    jobId: label,
    sourcePath: fixture.sourcePath,
    driveId,
    path: itemPath,
    chunkSize: CHUNK,
  });
  await pipeline.host.runUntil(async () => {
    const row = await storage.jobs.get(job.jobId, job.requestId);
    return row !== undefined && isTerminal(row.job.status);
  }, 200);
  const row = await storage.jobs.get(job.jobId, job.requestId);
  return { pipeline, row, itemPath, events, log: fixture.emu.inspect.requestLog() };
}

describe("a step that dies holding its lease (issue 16)", () => {
  it("resumes at the lease's end through one deferred wake, with no sweeper re-wake", async () => {
    const baseline = await run("baseline");
    expect(baseline.row?.job.status).toBe("completed");
    // Die right after the second fragment landed, before its answer was seen or the row written.
    const fragments = baseline.pipeline.injector.labels.flatMap((label, i) =>
      label === "graph.uploadFragment" ? [i + 1] : [],
    );
    const crashAt = fragments[1];
    if (crashAt === undefined) throw new Error("the baseline sent fewer than two fragments");

    const started = clock.now();
    const crashed = await run("crashed", crashAt);
    expect(crashed.pipeline.injector.crashedAt).toContain("graph.uploadFragment");
    expect(crashed.row?.job.status).toBe("completed");
    expect(crashed.row?.job.result?.verification).toBe("hash");
    expect(fixture.emu.inspect.readItem(driveId, crashed.itemPath)?.equals(fixture.source)).toBe(true);

    // The redelivery (after the message lease) found the lease live and deferred exactly once.
    const deferred = crashed.events.filter((e) => e.event === "wake-deferred");
    expect(deferred).toHaveLength(1);
    expect(crashed.events.filter((e) => e.event === "sweeper-rewoke")).toHaveLength(0);
    const takeoverIndex = crashed.events.findIndex((e) => e.event === "lease-takeover");
    const takeover = crashed.events[takeoverIndex];
    if (!takeover) throw new Error("no worker took the lease over");
    // The crashed step began right after the last result written before the takeover (continuations are
    // immediate, so the clock did not move in between).
    const before = crashed.events.slice(0, takeoverIndex).filter((e) => e.event === "step-written");
    const crashTime = before.at(-1)?.at ?? started;
    const resumeMs = takeover.at - crashTime;
    // The figure docs/pipeline.md reports ("Worst case after a crash mid-step").
    console.log(`resumed ${resumeMs / 1000} s (virtual) after the crash mid-step`);
    // Resumed one lease after the crash (plus the slack and the queue's whole-second rounding), well before the
    // sweeper could have (lease + grace + a sweeper period).
    expect(resumeMs).toBeGreaterThanOrEqual(LEASE_MS - 1_000);
    expect(resumeMs).toBeLessThanOrEqual(LEASE_MS + LEASE_END_SLACK_MS + 1_000);
    expect(resumeMs).toBeLessThan(LEASE_MS + SWEEP_PERIOD_MS);
    // One session, resynced after the takeover, not recreated; the lost fragment is not sent blindly again.
    expect(crashed.log.filter((r) => r.route === "createUploadSession")).toHaveLength(1);
    expect(crashed.log.filter((r) => r.route === "uploadStatus")).toHaveLength(1);
  }, 60_000);
});
