/**
 * The pass runner with in-memory stores, the queue sink over the in-memory job store and wake queue, and a
 * scripted drive directory: crash safety between tracking and submitting, settling earlier jobs, and the
 * per-destination independence, without sockets.
 */

import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { UploadJob } from "../../../src/core/job/job.js";
import { GraphFailure } from "../../../src/core/ports/graphFailure.js";
import type { DriveDirectory, RemoteItem } from "../../../src/core/ports/mirror.js";
import { validateMirrors } from "../../../src/mirror/definitions.js";
import { listerFactory } from "../../../src/mirror/listers.js";
import { LOST_AFTER_MS, QueueJobSink } from "../../../src/mirror/queueSink.js";
import { DestinationResolver } from "../../../src/mirror/resolver.js";
import { type MirrorPassDeps, runMirrorPass } from "../../../src/mirror/runner.js";
import { MemoryHistoryStore } from "../../../src/store/historyMemory.js";
import { MemoryManifestStore } from "../../../src/store/manifestMemory.js";
import { MemoryDestinationIndex } from "../../../src/store/memoryDestinationIndex.js";
import { MemoryJobStore } from "../../../src/store/memoryJobStore.js";
import { MemoryWakeQueue } from "../../../src/store/memoryWakeQueue.js";

class FakeDirectory implements DriveDirectory {
  readonly folders = new Set<string>();
  readonly calls: string[] = [];
  denied = new Set<string>();
  async resolveDrive(destination: { type: string; user?: string }) {
    this.calls.push(`resolve ${destination.type}`);
    if (destination.user && this.denied.has(destination.user)) {
      throw new GraphFailure({
        kind: "http",
        status: 403,
        codes: ["accessDenied"],
        requestId: "rq-1",
        message: "no",
      });
    }
    return { driveId: `drive-${destination.user ?? "x"}` };
  }
  async getItemByPath(driveId: string, path: string): Promise<RemoteItem | undefined> {
    this.calls.push(`get ${driveId}${path}`);
    return this.folders.has(`${driveId}${path}`) ? { id: path, name: path, isFolder: true } : undefined;
  }
  async createFolder(driveId: string, parent: string, name: string): Promise<RemoteItem> {
    const full = `${parent === "/" ? "" : parent}/${name}`;
    this.calls.push(`mkdir ${driveId}${full}`);
    this.folders.add(`${driveId}${full}`);
    return { id: full, name, isFolder: true };
  }
  async deleteItem(): Promise<void> {
    this.calls.push("delete");
  }
}

describe("runMirrorPass", () => {
  let root: string;
  let now: number;
  const clock = { now: () => now };
  beforeEach(async () => {
    now = 1_800_000_000_000;
    root = await mkdtemp(path.join(os.tmpdir(), "gm-runner-"));
    await mkdir(path.join(root, "src", "sub"), { recursive: true });
    await writeFile(path.join(root, "src", "a.txt"), "a");
    await writeFile(path.join(root, "src", "sub", "b.txt"), "b");
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  function setup() {
    const directory = new FakeDirectory();
    const store = new MemoryJobStore();
    const queue = new MemoryWakeQueue(clock);
    const manifest = new MemoryManifestStore();
    const history = new MemoryHistoryStore();
    let id = 0;
    const deps: MirrorPassDeps = {
      clock,
      manifest,
      history,
      directory,
      resolver: new DestinationResolver(directory, clock, 60_000),
      newId: () => `job-${++id}`,
      jobSettings: { chunkSize: 327_680, simpleUploadMax: 4_194_304 },
      listerFor: listerFactory({ allowedFileRoots: [root] }),
      jobs: new QueueJobSink(store, queue, clock, new MemoryDestinationIndex()),
      log: () => {},
    };
    const definitions = validateMirrors(
      [
        {
          name: "m",
          source: { type: "file", path: path.join(root, "src") },
          destinations: [
            { type: "onedrive", user: "ok@x", path: "/dest" },
            { type: "onedrive", user: "denied@x", path: "/dest" },
          ],
        },
      ],
      { allowedFileRoots: [root], settingName: "MIRRORS" },
    );
    return { directory, store, queue, manifest, history, deps, definitions };
  }

  it("enqueues one job per file and working destination, creating folders once, and records the failing one", async () => {
    const { directory, store, queue, history, deps, definitions } = setup();
    directory.denied.add("denied@x");
    const report = await runMirrorPass(definitions, deps);
    const run = report.runs[0];
    expect(run?.run).toMatchObject({ jobsCreated: 2, result: "partial" });
    expect(run?.jobs.map((j) => j.destination)).toEqual([
      { type: "drive", driveId: "drive-ok@x", path: "/dest/a.txt" },
      { type: "drive", driveId: "drive-ok@x", path: "/dest/sub/b.txt" },
    ]);
    expect(directory.calls.filter((c) => c.startsWith("mkdir"))).toEqual([
      "mkdir drive-ok@x/dest",
      "mkdir drive-ok@x/dest/sub",
    ]);
    expect(queue.sent.map((s) => s.message)).toEqual([
      { jobId: "job-1", wakeSeq: 0, requestId: run?.runId },
      { jobId: "job-2", wakeSeq: 0, requestId: run?.runId },
    ]);
    expect((await store.listByRequest(run?.runId ?? "")).length).toBe(2);
    const failed = await history.records({ mirror: "m" });
    expect(failed.map((r) => [r.path, r.outcome, r.errorCode, r.requestId])).toEqual([
      ["a.txt", "failed", "access-denied", "rq-1"],
      ["sub/b.txt", "failed", "access-denied", "rq-1"],
    ]);
  });

  it("skips files whose jobs are still running, and records finished ones on the next pass", async () => {
    const { store, manifest, history, deps, definitions } = setup();
    const first = await runMirrorPass(definitions, deps);
    const second = await runMirrorPass(definitions, deps);
    expect(second.runs[0]?.run).toMatchObject({ jobsCreated: 0, inProgress: 4 });

    // The pipeline finishes every job (no job-end hook called): the next pass records them.
    for (const row of await store.listByRequest(first.runs[0]?.runId ?? "")) {
      const job: UploadJob = {
        ...row.job,
        status: "completed",
        target: { driveId: "d", path: "/p" },
        result: { itemId: `item-${row.job.jobId}`, size: 1, eTag: "e", verification: "hash" },
        updatedAt: now + 500,
      };
      await store.replace({ job, wakeSeq: 1 }, row.etag);
    }
    const third = await runMirrorPass(definitions, deps);
    expect(third.runs[0]?.run).toMatchObject({ jobsCreated: 0, inProgress: 0, unchanged: 4 });
    expect((await history.records({})).map((r) => r.outcome)).toEqual([
      "completed",
      "completed",
      "completed",
      "completed",
    ]);
    expect(await manifest.listPending("m")).toEqual([]);
  });

  it("drops a job tracked but never submitted (a crash in between), then plans the file again", async () => {
    const { manifest, deps, definitions } = setup();
    const crashing: MirrorPassDeps = {
      ...deps,
      jobs: {
        submit: async () => {
          throw new Error("process killed");
        },
        check: deps.jobs.check.bind(deps.jobs),
      },
    };
    const crashed = await runMirrorPass(definitions, crashing);
    expect(crashed.runs[0]?.run.result).toBe("failed");
    // The runner untracks what it could not submit; simulate a hard kill that left one row behind.
    await manifest.trackJob({
      jobId: "ghost",
      runId: "mirror-m-x",
      mirror: "m",
      destination: "onedrive|ok@x|/dest/",
      destinationLabel: "onedrive:ok@x:/dest/",
      path: "a.txt",
      source: { size: 1, version: "v" },
      createdAt: now,
    });
    const soon = await runMirrorPass(definitions, deps);
    expect(soon.runs[0]?.run).toMatchObject({ inProgress: 1, jobsCreated: 3 });
    now += LOST_AFTER_MS + 1;
    await runMirrorPass(definitions, deps);
    expect((await manifest.listPending("m")).map((p) => p.jobId)).not.toContain("ghost");
  });

  it("lists files through symlinks inside the roots only", async () => {
    const { deps, definitions } = setup();
    const outside = await mkdtemp(path.join(os.tmpdir(), "gm-outside-"));
    try {
      await writeFile(path.join(outside, "secret.txt"), "s");
      await symlink(path.join(outside, "secret.txt"), path.join(root, "src", "escape.txt"));
      await symlink(outside, path.join(root, "src", "escape-dir"));
      await writeFile(path.join(root, "inside.txt"), "i");
      await symlink(path.join(root, "inside.txt"), path.join(root, "src", "linked.txt"));
      const mirror = definitions.valid[0];
      if (!mirror) throw new Error("the test mirror did not validate");
      const listing = await deps.listerFor(mirror).list(AbortSignal.timeout(5000));
      expect(listing.entries.map((e) => e.path)).toEqual(["a.txt", "linked.txt", "sub/b.txt"]);
      expect(listing.entries[1]?.ref).toEqual({ type: "file", path: path.join(root, "inside.txt") });
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });
});
