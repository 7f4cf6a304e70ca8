/**
 * The real engine and Graph client against the emulator's `field` profile (the default: the service as
 * documented and as field reports show it, docs/emulator.md "Profiles"). Each test asserts the end state and the
 * requests the upload took (from the emulator's request log): a failure path must cost a handful of extra
 * requests, never hundreds. Waits advance the emulator's clock instead of sleeping.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isTerminal, type UploadJob } from "../../../src/core/job/job.js";
import { quickXorHashOf } from "../../../src/core/shared/quickXorHash.js";
import type { EngineDeps } from "../../../src/core/upload/engine.js";
import type { Fault, RouteName } from "../../../src/emulator/index.js";
import { DRIVE, jobFor, KIB320, type Run, startWorld, type World } from "./support.js";

let world: World;
beforeAll(async () => {
  world = await startWorld();
  // The folder the uploads go into exists (a session below a missing folder is its own test).
  world.emu.inspect.putItem(DRIVE, "/field/.keep", Buffer.from("x"));
});
afterAll(async () => {
  await world.close();
});

const CHUNKS = 3;
const SIZE = CHUNKS * KIB320 + 1234;
const FRAGMENTS = CHUNKS + 1;
let counter = 0;

/** Steps to the end; a wait moves the emulator's clock forward by its length (nothing sleeps). */
async function runAdvancing(job: UploadJob, deps: EngineDeps, maxSteps = 500): Promise<Run> {
  const run: Run = { job, events: [], waits: [], results: [] };
  const { step } = await import("../../../src/core/upload/engine.js");
  for (let i = 0; i < maxSteps && !isTerminal(run.job.status); i++) {
    const result = await step(run.job, deps);
    run.job = result.job;
    run.results.push(result);
    run.events.push(...result.events);
    if (result.next.type === "wait") {
      run.waits.push(result.next.ms);
      world.clock.advance(result.next.ms);
    }
  }
  if (!isTerminal(run.job.status)) throw new Error(`not finished: ${JSON.stringify(run.job.lastError)}`);
  return run;
}

function requests(route?: RouteName): number {
  return world.emu.inspect.requestLog().filter((r) => route === undefined || r.route === route).length;
}

async function upload(
  options: {
    name?: string;
    size?: number;
    folder?: string;
    faults?: { route: RouteName; fault: Fault; nth?: number }[];
    conflict?: "replace" | "rename" | "fail";
    policy?: Parameters<World["deps"]>[0];
    requestTimeoutMs?: number;
  } = {},
) {
  const name = options.name ?? `field-${++counter}.bin`;
  const { path, bytes } = await world.file(name, options.size ?? SIZE);
  const dest = `${options.folder ?? "/field"}/${name}`;
  world.emu.inspect.clearLog();
  const handles = (options.faults ?? []).map((f) =>
    world.emu.faults.add({ match: { route: f.route, nth: f.nth ?? 1 }, fault: f.fault }),
  );
  const job = jobFor(
    path,
    { type: "drive", driveId: DRIVE, path: dest },
    { simpleUploadMax: 0, ...(options.conflict ? { conflict: options.conflict } : {}) },
  );
  const run = await runAdvancing(job, world.deps(options.policy ?? {}, options.requestTimeoutMs));
  for (const h of handles) h.remove();
  return { run, bytes, dest, hits: handles.map((h) => h.hits) };
}

function expectIdentical(r: Awaited<ReturnType<typeof upload>>, path = r.dest) {
  expect(r.run.job.status, JSON.stringify(r.run.job.lastError)).toBe("completed");
  expect(world.emu.inspect.readItem(DRIVE, path)?.equals(r.bytes)).toBe(true);
  // Nothing is left holding the file against its next upload (an orphan that expired holds nothing).
  const live = world.emu.inspect
    .sessions()
    .filter((s) => s.path === path && Date.parse(s.expirationDateTime) > world.clock.now());
  expect(live).toEqual([]);
}

describe("the engine against the field profile", () => {
  it("a plain upload: one session, every fragment once, verified by hash", async () => {
    const r = await upload();
    expectIdentical(r);
    expect(r.run.job.result?.verification).toBe("hash");
    expect(requests("createUploadSession")).toBe(1);
    expect(requests("uploadFragment")).toBe(FRAGMENTS);
    expect(requests()).toBe(1 + FRAGMENTS);
  });

  it("a commit that fails after the last byte: committed from the kept session with sourceUrl", async () => {
    const r = await upload({
      faults: [{ route: "uploadFragment", nth: FRAGMENTS, fault: { type: "commitFails" } }],
    });
    expectIdentical(r);
    expect(r.hits).toEqual([1]);
    expect(r.run.job.result?.verification).toBe("hash");
    expect(requests("uploadFragment")).toBe(FRAGMENTS);
    expect(requests("uploadStatus")).toBe(1);
    expect(requests("commitFromUploadSession")).toBe(1);
    // Before this engine: tens of thousands of GETs with no delay. Now: two more than a clean upload.
    expect(requests()).toBe(1 + FRAGMENTS + 2);
  });

  it("a commit that fails with 409 under replace (file held) waits, then commits from the kept session", async () => {
    const r = await upload({
      faults: [{ route: "uploadFragment", nth: FRAGMENTS, fault: { type: "commitFails", status: 409 } }],
    });
    expectIdentical(r);
    expect(r.run.job.lastError).toBeUndefined();
    expect(requests("commitFromUploadSession")).toBe(1);
    expect(requests()).toBeLessThanOrEqual(1 + FRAGMENTS + 3);
  });

  it("a lost createUploadSession answer: the orphan holds the file, the job waits it out, then uploads", async () => {
    const r = await upload({
      faults: [{ route: "createUploadSession", fault: { type: "sessionAnswerLost" } }],
    });
    expectIdentical(r);
    expect(r.run.events.some((e) => e.type === "retrying" && e.reason === "session-busy")).toBe(true);
    expect(JSON.stringify(r.run.events)).not.toContain("--conflict");
    // The orphan lives 15 minutes (sliding TTL): a few spaced asks, not a storm.
    expect(requests("createUploadSession")).toBeLessThanOrEqual(10);
    expect(requests()).toBeLessThanOrEqual(10 + FRAGMENTS);
  });

  it("a slow final commit past even the long deadline: the item found is ours, nothing is sent twice", async () => {
    const r = await upload({
      name: "slow.docx",
      faults: [{ route: "uploadFragment", nth: FRAGMENTS, fault: { type: "slowCommit", ms: 1_500 } }],
      policy: { finalFragmentTimeoutMs: 300 },
    });
    expect(r.run.job.status, JSON.stringify(r.run.job.lastError)).toBe("completed");
    // SharePoint rewrote the Office file: size-only, with the reason, and no second version uploaded.
    expect(r.run.job.result?.verification).toBe("size-only");
    expect(r.run.job.result?.warning).toContain("property promotion");
    expect(requests("createUploadSession")).toBe(1);
    // The slow answer is logged when it is finally sent, after the test: at most the fragments once each.
    expect(requests("uploadFragment")).toBeLessThanOrEqual(FRAGMENTS);
  });

  it("a gateway's HTML page on a fragment: backoff, status, resend only what is missing", async () => {
    const r = await upload({
      faults: [{ route: "uploadFragment", nth: 2, fault: { type: "status", status: 502, html: true } }],
    });
    expectIdentical(r);
    expect(requests("uploadFragment")).toBe(FRAGMENTS + 1);
    expect(requests("uploadStatus")).toBe(1);
  });

  it("a transient 404 on a fresh session: wait, ask, carry on with the same session", async () => {
    const r = await upload({
      faults: [
        { route: "uploadFragment", nth: 1, fault: { type: "status", status: 404, code: "itemNotFound" } },
      ],
    });
    expectIdentical(r);
    expect(requests("createUploadSession")).toBe(1);
    expect(r.run.waits).toContain(5_000);
    expect(requests()).toBe(1 + FRAGMENTS + 2);
  });

  it("a photo whose metadata the service updates after the commit verifies by hash", async () => {
    const r = await upload({ name: `photo-${++counter}.jpg` });
    expectIdentical(r);
    expect(r.run.job.result?.verification).toBe("hash");
    const now = world.emu.inspect.item(DRIVE, r.dest);
    // The service gave the item a new eTag on its own; the content tag is the one we recorded.
    expect(now?.eTag).not.toBe(r.run.job.result?.eTag);
    expect(now?.cTag).toBe(r.run.job.result?.cTag);
  });

  it("an empty file, which the service stores without a hash, is verified by size at once", async () => {
    const name = `empty-${++counter}.bin`;
    const { path } = await world.file(name, 0);
    world.emu.inspect.clearLog();
    const job = jobFor(path, { type: "drive", driveId: DRIVE, path: `/field/${name}` });
    const run = await runAdvancing(job, world.deps());
    expect(run.job.result).toMatchObject({ verification: "size-only", size: 0 });
    expect(run.job.result?.warning).toContain("empty files");
    expect(requests()).toBe(1);
  });

  it("a session below folders that do not exist: the folders are made once, then the session", async () => {
    const r = await upload({ folder: `/field/new-${++counter}/deeper` });
    expectIdentical(r);
    expect(requests("createUploadSession")).toBe(2);
    expect(requests("createFolder")).toBe(2);
  });

  it("rename: the service's name is verified and reported", async () => {
    const name = `taken-${++counter}.bin`;
    world.emu.inspect.putItem(DRIVE, `/field/${name}`, Buffer.from("someone else's"));
    const r = await upload({ name, conflict: "rename" });
    const renamed = r.run.job.result?.name;
    expect(renamed).toBeDefined();
    expect(renamed).not.toBe(name);
    expectIdentical(r, `/field/${renamed}`);
    expect(r.run.job.target?.path).toBe(`/field/${renamed}`);
    expect(world.emu.inspect.readItem(DRIVE, `/field/${name}`)?.toString()).toBe("someone else's");
  });

  it("a failed job deletes its session, so the file's next upload is not blocked", async () => {
    const r = await upload({ faults: [{ route: "uploadFragment", nth: 2, fault: { type: "quotaFull" } }] });
    expect(r.run.job.status).toBe("failed");
    expect(r.run.job.lastError?.code).toBe("quota-exceeded");
    expect(requests("uploadCancel")).toBe(1);
    expect(world.emu.inspect.sessions().filter((s) => s.path === r.dest)).toEqual([]);
  });

  it("a hash that appears late is read again after a wait and verified", async () => {
    const late = await startWorld({ hashDelayMs: 1_000 });
    try {
      const { path, bytes } = await late.file("late.bin", SIZE);
      const job = jobFor(path, { type: "drive", driveId: DRIVE, path: "/late.bin" }, { simpleUploadMax: 0 });
      const deps = late.deps();
      const { step } = await import("../../../src/core/upload/engine.js");
      let current = job;
      while (!isTerminal(current.status)) {
        const result = await step(current, deps);
        current = result.job;
        if (result.next.type === "wait") late.clock.advance(result.next.ms);
      }
      expect(current.result?.verification).toBe("hash");
      expect(current.result?.quickXorHash).toBe(quickXorHashOf(bytes));
      expect(late.emu.inspect.requestLog().filter((x) => x.route === "getItem")).toHaveLength(1);
    } finally {
      await late.close();
    }
  });
});
