/**
 * Mirror benchmarks (issue 6; docs/design.md "Performance targets"):
 * - `mirror-unchanged-10k`: a pass over 10,000 unchanged files. Target: under 10 s, zero jobs, zero Graph calls.
 * - `mirror-first-pass-1k`: the first pass over 1,000 small files to one destination: jobs planned and
 *   submitted per second (the timer's work, into the in-memory job store and wake queue), and files uploaded
 *   per second end to end in-process (pass + uploads through the engine to the local emulator).
 *
 * Run: `npm run bench -- mirror` (registered in bench/benchmarks.ts), or `node dist/bench/mirror.js` after a build.
 */

import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { StaticTokenProvider } from "../src/auth/staticToken.js";
import { runLocalMirror } from "../src/cli/localRun.js";
import { parseStorageConfig } from "../src/config/storage.js";
import { systemClock } from "../src/core/ports/common.js";
import type { ManifestStore } from "../src/core/ports/mirror.js";
import { forEachLimit } from "../src/core/shared/forEachLimit.js";
import { DEFAULT_POLICY } from "../src/core/upload/policy.js";
import {
  DEFAULT_DRIVE_IDS,
  DEFAULT_TOKEN,
  type RunningEmulator,
  startEmulator,
} from "../src/emulator/index.js";
import { GraphClient } from "../src/graph/client.js";
import { GraphHttp } from "../src/graph/http.js";
import { validateMirrors } from "../src/mirror/definitions.js";
import { destinationKey } from "../src/mirror/destinationKey.js";
import { GraphDriveDirectory } from "../src/mirror/graphDirectory.js";
import { listerFactory } from "../src/mirror/listers.js";
import { QueueJobSink } from "../src/mirror/queueSink.js";
import { DestinationResolver } from "../src/mirror/resolver.js";
import { type MirrorPassDeps, runMirrorPass } from "../src/mirror/runner.js";
import { createMirrorStores } from "../src/mirror/storage.js";
import { createSourceOpener } from "../src/sources/opener.js";
import { MemoryHistoryStore } from "../src/store/historyMemory.js";
import { MemoryManifestStore } from "../src/store/manifestMemory.js";
import { MemoryDestinationIndex } from "../src/store/memoryDestinationIndex.js";
import { MemoryJobStore } from "../src/store/memoryJobStore.js";
import { MemoryWakeQueue } from "../src/store/memoryWakeQueue.js";
import { startAzurite } from "../test/support/azurite.js";
import type { Benchmark, BenchRow } from "./registry.js";

export interface BenchResult {
  readonly name: string;
  readonly metrics: Record<string, number | string | boolean>;
}

async function makeFiles(dir: string, count: number): Promise<void> {
  for (let i = 0; i < count; i += 100) {
    const folder = path.join(dir, `d${String(i / 100).padStart(3, "0")}`);
    await mkdir(folder, { recursive: true });
    await Promise.all(
      Array.from({ length: Math.min(100, count - i) }, (_, j) =>
        writeFile(path.join(folder, `f${i + j}.json`), `{"n":${i + j}}`),
      ),
    );
  }
}

function passDeps(emu: RunningEmulator, root: string, manifest: ManifestStore): MirrorPassDeps {
  const http = new GraphHttp({
    baseUrl: emu.graphBaseUrl,
    tokens: new StaticTokenProvider(DEFAULT_TOKEN),
    requestTimeoutMs: 30_000,
  });
  const directory = new GraphDriveDirectory(http);
  return {
    clock: systemClock,
    manifest,
    history: new MemoryHistoryStore(),
    directory,
    resolver: new DestinationResolver(directory, systemClock, 3_600_000),
    newId: () => randomUUID(),
    jobSettings: { chunkSize: 10 * 1024 * 1024, simpleUploadMax: 4 * 1024 * 1024 },
    listerFor: listerFactory({ allowedFileRoots: [root] }),
    jobs: new QueueJobSink(
      new MemoryJobStore(),
      new MemoryWakeQueue(systemClock),
      systemClock,
      new MemoryDestinationIndex(),
    ),
    log: () => {},
  };
}

function mirrorOf(source: string) {
  return {
    name: "bench",
    source: { type: "file", path: source },
    destinations: [{ type: "drive", driveId: DEFAULT_DRIVE_IDS.opsDocuments, path: "/bench" }],
  };
}

export async function unchangedPass10k(store: "memory" | "table" = "memory"): Promise<BenchResult> {
  const root = await mkdtemp(path.join(os.tmpdir(), "gm-bench-"));
  const emu = await startEmulator();
  const azurite = store === "table" ? await startAzurite() : undefined;
  try {
    const source = path.join(root, "src");
    await makeFiles(source, 10_000);
    const definitions = validateMirrors([mirrorOf(source)], {
      allowedFileRoots: [root],
      settingName: "bench",
    });
    const mirror = definitions.valid[0];
    const destination = mirror?.destinations[0];
    if (!mirror || !destination) throw new Error("bench mirror did not validate");
    // Seed the manifest as if every file had been uploaded by an earlier pass.
    let manifest: ManifestStore = new MemoryManifestStore();
    if (azurite) {
      const stores = createMirrorStores(
        parseStorageConfig({ AzureWebJobsStorage: azurite.connectionString }),
      );
      await stores.ensureTables();
      manifest = stores.manifest;
    }
    const listing = await listerFactory({ allowedFileRoots: [root] })(mirror).list(
      AbortSignal.timeout(60_000),
    );
    await forEachLimit(listing.entries, 32, async (entry) => {
      await manifest.put({
        mirror: "bench",
        destination: destinationKey(destination),
        path: entry.path,
        source: entry.fingerprint,
        driveId: DEFAULT_DRIVE_IDS.opsDocuments,
        itemId: `item-${entry.path}`,
        size: entry.fingerprint.size,
        uploadedAt: 0,
      });
    });
    emu.inspect.clearLog();
    const started = performance.now();
    const report = await runMirrorPass(definitions, passDeps(emu, root, manifest));
    const seconds = (performance.now() - started) / 1000;
    const run = report.runs[0]?.run;
    return {
      name: `mirror-unchanged-10k-${store}`,
      metrics: {
        files: run?.listed ?? 0,
        unchanged: run?.unchanged ?? 0,
        jobs: run?.jobsCreated ?? -1,
        graphRequests: emu.inspect.requestLog().length,
        seconds: Math.round(seconds * 1000) / 1000,
        targetSeconds: 10,
        pass: seconds < 10 && run?.jobsCreated === 0 && emu.inspect.requestLog().length === 0,
      },
    };
  } finally {
    await Promise.all([emu.close(), azurite?.stop()]);
    await rm(root, { recursive: true, force: true });
  }
}

export async function firstPass1k(): Promise<BenchResult> {
  const root = await mkdtemp(path.join(os.tmpdir(), "gm-bench-"));
  const emu = await startEmulator();
  try {
    const source = path.join(root, "src");
    await makeFiles(source, 1_000);
    const definitions = validateMirrors([mirrorOf(source)], {
      allowedFileRoots: [root],
      settingName: "bench",
    });

    const planStarted = performance.now();
    const planned = await runMirrorPass(definitions, passDeps(emu, root, new MemoryManifestStore()));
    const planSeconds = (performance.now() - planStarted) / 1000;
    const jobs = planned.runs[0]?.run.jobsCreated ?? 0;

    const tokens = new StaticTokenProvider(DEFAULT_TOKEN);
    const requestTimeoutMs = 30_000;
    const uploadStarted = performance.now();
    const local = await runLocalMirror({
      definitions: validateMirrors(
        [{ ...mirrorOf(source), destinations: [{ ...mirrorOf(source).destinations[0], path: "/bench2" }] }],
        {
          allowedFileRoots: [root],
          settingName: "bench",
        },
      ),
      engine: {
        graph: new GraphClient({ baseUrl: emu.graphBaseUrl, tokens, requestTimeoutMs }),
        sources: createSourceOpener({ requestTimeoutMs }),
        clock: systemClock,
        random: Math.random,
        policy: DEFAULT_POLICY,
      },
      directory: new GraphDriveDirectory(
        new GraphHttp({ baseUrl: emu.graphBaseUrl, tokens, requestTimeoutMs }),
      ),
      sources: { allowedFileRoots: [root] },
      jobSettings: { chunkSize: 10 * 1024 * 1024, simpleUploadMax: 4 * 1024 * 1024 },
      stateDir: path.join(root, "state"),
      resolveTtlMs: 3_600_000,
      dryRun: false,
      parallel: 8,
      reporter: { resumed() {}, events() {}, close() {} },
      log: () => {},
      clock: systemClock,
      newId: () => randomUUID(),
      signal: AbortSignal.timeout(600_000),
    });
    const uploadSeconds = (performance.now() - uploadStarted) / 1000;
    const completed = local.jobs.filter((j) => j.status === "completed").length;
    return {
      name: "mirror-first-pass-1k",
      metrics: {
        files: 1_000,
        jobsPlanned: jobs,
        planSeconds: Math.round(planSeconds * 1000) / 1000,
        jobsPlannedPerSecond: Math.round(jobs / planSeconds),
        uploadsCompleted: completed,
        endToEndSeconds: Math.round(uploadSeconds * 1000) / 1000,
        filesUploadedPerSecond: Math.round(completed / uploadSeconds),
      },
    };
  } finally {
    await emu.close();
    await rm(root, { recursive: true, force: true });
  }
}

function rows(
  result: BenchResult,
  targets: Record<string, { target: string; pass: boolean }> = {},
): BenchRow[] {
  return Object.entries(result.metrics)
    .filter(([metric]) => metric !== "pass" && metric !== "targetSeconds")
    .map(([metric, value]) => ({ metric, value: String(value), ...(targets[metric] ?? {}) }));
}

export const mirrorUnchangedBenchmark: Benchmark = {
  name: "mirror-unchanged-10k",
  description:
    "a mirror pass over 10,000 unchanged files, manifest in memory (CLI) and in Table Storage on Azurite " +
    "(function app); target: under 10 s, zero jobs, zero Graph calls",
  run: async () => {
    const out: BenchRow[] = [];
    for (const store of ["memory", "table"] as const) {
      const result = await unchangedPass10k(store);
      const m = result.metrics;
      const named = rows(result, {
        seconds: { target: "< 10", pass: Number(m.seconds) < 10 },
        jobs: { target: "0", pass: m.jobs === 0 },
        graphRequests: { target: "0", pass: m.graphRequests === 0 },
      });
      out.push(...named.map((row) => ({ ...row, metric: `${store}: ${row.metric}` })));
    }
    return out;
  },
};

export const mirrorFirstPassBenchmark: Benchmark = {
  name: "mirror-first-pass-1k",
  description:
    "the first mirror pass over 1,000 small files: jobs planned per second, files uploaded per second",
  run: async () => rows(await firstPass1k()),
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await unchangedPass10k("memory")));
  console.log(JSON.stringify(await unchangedPass10k("table")));
  console.log(JSON.stringify(await firstPass1k()));
}
