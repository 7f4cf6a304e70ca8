/**
 * One contract suite for the mirror's stores, run against the in-memory twins and the Table Storage adapters on
 * a real Azurite (docs/design.md "one shared contract test suite runs against both").
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseStorageConfig } from "../../../src/config/storage.js";
import type { HistoryStore, ManifestEntry, ManifestStore } from "../../../src/core/ports/mirror.js";
import { createMirrorStores } from "../../../src/mirror/storage.js";
import { MemoryHistoryStore } from "../../../src/store/historyMemory.js";
import { MemoryManifestStore } from "../../../src/store/manifestMemory.js";
import { type RunningAzurite, startAzurite } from "../../support/azurite.js";

let azurite: RunningAzurite | undefined;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const BIG = 5 * 1024 ** 3 + 7; // above 2^31: must round-trip as Int64 (docs/platform.md)
const entry = (path: string, version = "v1"): ManifestEntry => ({
  mirror: "app",
  destination: "sharepoint|https://contoso.sharepoint.com/sites/ops|documents|/m/",
  path,
  source: { size: BIG, version },
  driveId: "b!drive",
  itemId: `item-${path}`,
  eTag: '"{E},1"',
  cTag: '"c:{E},1"',
  quickXorHash: "AAAA",
  size: BIG,
  uploadedAt: 1_795_000_000_000,
});

const suites: [string, () => Promise<{ manifest: ManifestStore; history: HistoryStore }>][] = [
  ["memory", async () => ({ manifest: new MemoryManifestStore(), history: new MemoryHistoryStore() })],
  [
    "table (Azurite)",
    async () => {
      const stores = createMirrorStores(
        parseStorageConfig({ AzureWebJobsStorage: azurite?.connectionString ?? "" }),
      );
      await stores.ensureTables();
      await stores.ensureTables(); // idempotent
      return stores;
    },
  ],
];

describe.each(suites)("mirror stores: %s", (_name, create) => {
  it("keeps manifest entries per mirror and destination, with awkward paths and Int64 sizes", async () => {
    const { manifest } = await create();
    const awkward = "reports/Q1 #1?/100% done\\x.csv";
    await manifest.put(entry("a.txt"));
    await manifest.put(entry(awkward));
    await manifest.put({ ...entry("a.txt", "v2") });
    await manifest.put({ ...entry("other.txt"), destination: "onedrive|x|/" });
    // An entry as written before cTags were recorded comes back without one (destinationChange.ts).
    const { cTag: _none, ...legacy } = entry("legacy.txt");
    await manifest.put(legacy);
    const listed = await manifest.list("app", entry("a.txt").destination);
    expect(listed.sort((a, b) => a.path.localeCompare(b.path))).toEqual([
      entry("a.txt", "v2"),
      legacy,
      entry(awkward),
    ]);
    await manifest.remove("app", entry("a.txt").destination, "legacy.txt");
    await manifest.remove("app", entry("a.txt").destination, awkward);
    await manifest.remove("app", entry("a.txt").destination, "never-there");
    expect((await manifest.list("app", entry("a.txt").destination)).map((e) => e.path)).toEqual(["a.txt"]);
  });

  it("tracks pending jobs and finds them by job id", async () => {
    const { manifest } = await create();
    const pending = {
      jobId: "job-1",
      runId: "mirror-app-1",
      mirror: "app",
      destination: "d",
      destinationLabel: "drive:x:/",
      path: "a/b.txt",
      source: { size: BIG, version: "v" },
      createdAt: 1_795_000_000_000,
    };
    await manifest.trackJob(pending);
    await manifest.trackJob({ ...pending, jobId: "job-2", mirror: "other" });
    expect(await manifest.findJob("job-1")).toEqual(pending);
    expect((await manifest.listPending("app")).map((p) => p.jobId)).toEqual(["job-1"]);
    await manifest.untrackJob("job-1");
    await manifest.untrackJob("job-1");
    expect(await manifest.findJob("job-1")).toBeUndefined();
  });

  it("appends history idempotently and lists it newest first, by mirror and run", async () => {
    const { history } = await create();
    const record = (key: string, finishedAt: number, mirror = "app", runId = "r1") => ({
      mirror,
      runId,
      key,
      path: `${key}.txt`,
      destination: "drive:x:/",
      bytes: BIG,
      durationMs: 12,
      outcome: "completed" as const,
      finishedAt,
    });
    await history.append(record("j1", 1000));
    await history.append(record("j1", 1000));
    await history.append({
      ...record("j2", 2000, "app", "r2"),
      outcome: "failed",
      errorCode: "quota-exceeded",
      requestId: "rq",
    });
    await history.append(record("j3", 1500, "other"));
    expect((await history.records({ mirror: "app" })).map((r) => r.key)).toEqual(["j2", "j1"]);
    expect((await history.records({})).map((r) => r.key)).toEqual(["j2", "j3", "j1"]);
    expect((await history.records({ mirror: "app", runId: "r2" }))[0]).toMatchObject({
      errorCode: "quota-exceeded",
      requestId: "rq",
      bytes: BIG,
    });
    expect((await history.records({ since: 1500 })).map((r) => r.key)).toEqual(["j2", "j3"]);
    expect((await history.records({ limit: 1 })).map((r) => r.key)).toEqual(["j2"]);
  });

  it("records runs and returns the recent ones newest first", async () => {
    const { history } = await create();
    const run = (runId: string, startedAt: number, mirror = "app") => ({
      mirror,
      runId,
      startedAt,
      finishedAt: startedAt + 5,
      result: "ok" as const,
      listed: 3,
      unchanged: 1,
      jobsCreated: 2,
      inProgress: 0,
      conflicts: 0,
      deletions: 0,
      errors: ["x: something"],
    });
    await history.recordRun(run("r1", 1000));
    await history.recordRun(run("r2", 3000));
    await history.recordRun(run("r3", 2000, "other"));
    expect((await history.recentRuns({ limit: 10 })).map((r) => r.runId)).toEqual(["r2", "r3", "r1"]);
    expect(await history.recentRuns({ mirror: "app", limit: 1 })).toEqual([run("r2", 3000)]);
    // A pass that left files alone for someone else's change keeps its status and count for alerting.
    const conflicted = { ...run("r4", 4000), result: "conflicts" as const, conflicts: 2 };
    await history.recordRun(conflicted);
    expect(await history.recentRuns({ mirror: "app", limit: 1 })).toEqual([conflicted]);
  });
});
