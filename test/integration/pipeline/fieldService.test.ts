/**
 * The queue pipeline (one step per delivery, the real engine and client) against the emulator's `field` profile:
 * each behaviour of the real service ends byte-identical or failed with the right reason, in a handful of
 * requests (counted in the emulator's request log), with every wait taken as a delayed message.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isTerminal } from "../../../src/core/job/job.js";
import {
  DEFAULT_DRIVE_IDS,
  type Fault,
  type RouteName,
  type RunningEmulator,
} from "../../../src/emulator/index.js";
import { ManualClock } from "../../support/pipeline/manualClock.js";
import { realPipeline } from "../../support/pipeline/realPipeline.js";
import { type SourceFixture, startSourceFixture } from "../../support/pipeline/sourceFixture.js";

const CHUNK = 327_680;
const FRAGMENTS = 4;
const SIZE = (FRAGMENTS - 1) * CHUNK + 777;
const driveId = DEFAULT_DRIVE_IDS.opsDocuments;
const clock = new ManualClock(Date.now());
let emu: RunningEmulator;
let source: Buffer;
let sourcePath: string;
let fixture: SourceFixture | undefined;

beforeAll(async () => {
  fixture = await startSourceFixture(clock, SIZE, "pipeline-field-");
  ({ emu, source, sourcePath } = fixture);
  emu.inspect.putItem(driveId, "/field/.keep", Buffer.from("x"));
});
afterAll(async () => {
  await fixture?.close();
});

async function run(
  name: string,
  fault?: { route: RouteName; nth?: number; fault: Fault },
  timeoutMs?: number,
) {
  const pipeline = realPipeline({ emu, clock, ...(timeoutMs ? { requestTimeoutMs: timeoutMs } : {}) });
  emu.inspect.clearLog();
  const handle = fault
    ? emu.faults.add({ match: { route: fault.route, nth: fault.nth ?? 1 }, fault: fault.fault })
    : undefined;
  const path = `/field/${name}`;
  const job = await pipeline.submit({
    jobId: name.replace(/\W/g, "-"),
    sourcePath,
    driveId,
    path,
    chunkSize: CHUNK,
  });
  const started = clock.now();
  const row = () => pipeline.store.get(job.jobId, job.requestId);
  await pipeline.host.runUntil(async () => isTerminal((await row())?.job.status ?? "queued"), 500);
  handle?.remove();
  const log = emu.inspect.requestLog();
  const on = (route: RouteName) => log.filter((r) => r.route === route).length;
  const live = emu.inspect
    .sessions()
    .filter((s) => s.path === path && Date.parse(s.expirationDateTime) > clock.now());
  return {
    job: (await row())?.job,
    path,
    on,
    total: log.length,
    live,
    elapsed: clock.now() - started,
    hits: handle?.hits,
  };
}

describe("queue pipeline on the field profile", () => {
  it("a failed commit after the last byte: committed from the kept session, two extra requests", async () => {
    const r = await run("commit.bin", {
      route: "uploadFragment",
      nth: FRAGMENTS,
      fault: { type: "commitFails" },
    });
    expect(r.job?.status, JSON.stringify(r.job?.lastError)).toBe("completed");
    expect(emu.inspect.readItem(driveId, r.path)?.equals(source)).toBe(true);
    expect(r.on("uploadFragment")).toBe(FRAGMENTS);
    expect(r.on("uploadStatus")).toBe(1);
    expect(r.on("commitFromUploadSession")).toBe(1);
    expect(r.total).toBe(1 + FRAGMENTS + 2);
    expect(r.live).toEqual([]);
  });

  it("a lost createUploadSession answer: waits out the orphan with delayed wakes, then uploads", async () => {
    const r = await run("lost.bin", { route: "createUploadSession", fault: { type: "sessionAnswerLost" } });
    expect(r.job?.status, JSON.stringify(r.job?.lastError)).toBe("completed");
    expect(emu.inspect.readItem(driveId, r.path)?.equals(source)).toBe(true);
    expect(r.elapsed).toBeGreaterThanOrEqual(15 * 60_000);
    expect(r.on("createUploadSession")).toBeLessThanOrEqual(10);
    expect(r.total).toBeLessThanOrEqual(10 + FRAGMENTS);
  });

  it("a final commit slower than the request deadline is waited for, not sent again", async () => {
    const r = await run(
      "slow.docx",
      { route: "uploadFragment", nth: FRAGMENTS, fault: { type: "slowCommit", ms: 1_500 } },
      700,
    );
    expect(r.job?.status, JSON.stringify(r.job?.lastError)).toBe("completed");
    expect(r.job?.result?.verification).toBe("size-only");
    expect(r.on("createUploadSession")).toBe(1);
    expect(r.on("uploadFragment")).toBe(FRAGMENTS);
    expect(r.total).toBe(1 + FRAGMENTS);
  });

  it("a gateway's HTML 502 on a fragment: status, then only the missing fragment again", async () => {
    const r = await run("html.bin", {
      route: "uploadFragment",
      nth: 2,
      fault: { type: "status", status: 502, html: true },
    });
    expect(r.job?.status).toBe("completed");
    expect(r.on("uploadFragment")).toBe(FRAGMENTS + 1);
    expect(r.on("uploadStatus")).toBe(1);
  });

  it("a transient 404 on a fresh session: the same session carries on", async () => {
    const r = await run("transient.bin", {
      route: "uploadFragment",
      fault: { type: "status", status: 404, code: "itemNotFound" },
    });
    expect(r.job?.status).toBe("completed");
    expect(r.on("createUploadSession")).toBe(1);
    expect(r.total).toBe(1 + FRAGMENTS + 2);
  });

  it("a job that fails deletes its session, leaving the file free for the next upload", async () => {
    const r = await run("quota.bin", { route: "uploadFragment", nth: 2, fault: { type: "quotaFull" } });
    expect(r.job?.status).toBe("failed");
    expect(r.job?.lastError?.code).toBe("quota-exceeded");
    expect(r.on("uploadCancel")).toBe(1);
    expect(r.live).toEqual([]);
  });

  it("a photo the service updates after the commit: verified by hash, its content tag recorded", async () => {
    const r = await run("photo.jpg");
    expect(r.job?.result?.verification).toBe("hash");
    const now = emu.inspect.item(driveId, r.path);
    expect(now?.eTag).not.toBe(r.job?.result?.eTag);
    expect(now?.cTag).toBe(r.job?.result?.cTag);
  });
});
