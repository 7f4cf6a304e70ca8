/**
 * Queue pipeline versus the CLI path (DESIGN "Performance targets"): the same file uploaded to the same
 * emulator (a) by the engine's steps in a loop, in process, as the CLI does, and (b) through the built-in local
 * Functions host over Azurite: POST /api/uploads, then one queue-triggered step per invocation until the job
 * completes. Reports the throughput ratio (target >= 0.8) and step invocations per chunk (target <= 1.1).
 *
 * `npm run bench queue-pipeline` runs it at 1 GiB; `node dist/bench/queuePipeline.js [sizeMiB] [chunkMiB]` (after
 * `npm run build`) runs other sizes.
 */
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { StaticTokenProvider } from "../src/auth/staticToken.js";
import { type EngineDeps, newJob, step } from "../src/core/engine.js";
import type { UploadJob } from "../src/core/job.js";
import { DEFAULT_POLICY } from "../src/core/policy.js";
import { systemClock } from "../src/core/ports.js";
import {
  DEFAULT_DRIVE_IDS,
  DEFAULT_TOKEN,
  type RunningEmulator,
  startEmulator,
} from "../src/emulator/index.js";
import { GraphClient } from "../src/graph/client.js";
import { startLocalHost } from "../src/localhost/host.js";
import { createSourceOpener } from "../src/sources/opener.js";
import { startAzurite } from "../test/support/azurite.js";
import type { Benchmark, BenchRow } from "./registry.js";

const MiB = 1024 * 1024;

export const queuePipelineBenchmark: Benchmark = {
  name: "queue-pipeline",
  description: "1 GiB through the local Functions host + Azurite versus the CLI path, 10 MiB chunks",
  async run(): Promise<BenchRow[]> {
    const f = await benchQueuePipeline();
    return [
      { metric: "CLI path (s)", value: f.cliSeconds.toFixed(2) },
      { metric: "queue pipeline (s)", value: f.queueSeconds.toFixed(2) },
      { metric: "queue / CLI throughput", value: f.ratio.toFixed(2), target: ">= 0.8", pass: f.ratio >= 0.8 },
      {
        metric: "invocations per chunk",
        value: f.invocationsPerChunk.toFixed(3),
        target: "<= 1.1",
        pass: f.invocationsPerChunk <= 1.1,
      },
    ];
  },
};

export interface QueuePipelineFigures {
  readonly sizeBytes: number;
  readonly chunkBytes: number;
  readonly cliSeconds: number;
  readonly queueSeconds: number;
  /** Queue throughput / CLI throughput. */
  readonly ratio: number;
  /** Step function invocations (including dropped deliveries) per chunk. */
  readonly invocationsPerChunk: number;
}

export async function benchQueuePipeline(
  sizeBytes = 1024 * MiB,
  chunkBytes = 10 * MiB,
): Promise<QueuePipelineFigures> {
  const dir = await mkdtemp(path.join(tmpdir(), "bench-queue-"));
  const file = path.join(dir, "source.bin");
  await writeRandomFile(file, sizeBytes);
  const [azurite, emu] = await Promise.all([startAzurite(), startEmulator({})]);
  try {
    const cliSeconds = await timeCliPath(emu, file, chunkBytes);
    const queue = await timeQueuePath(emu, azurite.connectionString, dir, file, chunkBytes);
    const chunks = Math.ceil(sizeBytes / chunkBytes);
    return {
      sizeBytes,
      chunkBytes,
      cliSeconds,
      queueSeconds: queue.seconds,
      ratio: cliSeconds / queue.seconds,
      invocationsPerChunk: queue.invocations / chunks,
    };
  } finally {
    await Promise.all([azurite.stop(), emu.close()]);
    await rm(dir, { recursive: true, force: true });
  }
}

async function timeCliPath(emu: RunningEmulator, file: string, chunkBytes: number): Promise<number> {
  const deps: EngineDeps = {
    graph: new GraphClient({
      baseUrl: emu.graphBaseUrl,
      tokens: new StaticTokenProvider(DEFAULT_TOKEN),
      requestTimeoutMs: 120_000,
    }),
    sources: createSourceOpener({ requestTimeoutMs: 120_000 }),
    clock: systemClock,
    random: Math.random,
    policy: DEFAULT_POLICY,
  };
  let job: UploadJob = newJob({
    jobId: "bench-cli",
    requestId: "bench-cli",
    source: { type: "file", path: file },
    destination: { type: "drive", driveId: DEFAULT_DRIVE_IDS.opsDocuments, path: "/bench/cli.bin" },
    conflictBehavior: "replace",
    chunkSize: chunkBytes,
    simpleUploadMax: 4 * MiB,
    now: Date.now(),
  });
  const started = performance.now();
  for (;;) {
    const result = await step(job, deps, AbortSignal.timeout(120_000));
    job = result.job;
    if (result.next.type === "done") break;
    if (result.next.type !== "continue") throw new Error(`CLI path stopped: ${JSON.stringify(result.next)}`);
  }
  return (performance.now() - started) / 1000;
}

async function timeQueuePath(
  emu: RunningEmulator,
  connectionString: string,
  dir: string,
  file: string,
  chunkBytes: number,
): Promise<{ seconds: number; invocations: number }> {
  const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
  // The app reads its settings from process.env, as in Azure.
  Object.assign(process.env, {
    AzureWebJobsStorage: connectionString,
    GRAPH_BASE_URL: emu.graphBaseUrl,
    GRAPH_ACCESS_TOKEN: DEFAULT_TOKEN,
    CHUNK_SIZE: String(chunkBytes),
    ALLOWED_FILE_ROOTS: dir,
  });
  let invocations = 0;
  // The end is read from the step function's own log event (status of the written row), not by polling
  // GET /api/uploads: a poll every few ms would load Azurite and the 2 cores the pipeline is measured on.
  let ended: (status: string) => void = () => undefined;
  const end = new Promise<string>((resolve) => {
    ended = resolve;
  });
  const host = await startLocalHost({
    appDir,
    env: process.env,
    port: 0,
    log: (_level, message) => {
      if (!/"event":"(step-written|wake-dropped|wake-throttled)"/.test(message)) return;
      invocations += 1;
      const status = /"event":"step-written".*"status":"(completed|failed|cancelled)"/.exec(message)?.[1];
      if (status) ended(status);
    },
  });
  try {
    const base = `http://127.0.0.1:${host.http.port}/api`;
    const started = performance.now();
    const response = await fetch(`${base}/uploads`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        source: { type: "file", path: file },
        destinations: [{ type: "drive", driveId: DEFAULT_DRIVE_IDS.opsDocuments, path: "/bench/queue.bin" }],
        conflictBehavior: "replace",
      }),
    });
    if (response.status !== 202)
      throw new Error(`POST /api/uploads answered ${response.status}: ${await response.text()}`);
    const { id } = (await response.json()) as { id: string };
    const outcome = await end;
    const seconds = (performance.now() - started) / 1000;
    const status = (await (await fetch(`${base}/uploads/${id}`)).json()) as { jobs?: { status: string }[] };
    const state = status.jobs?.[0]?.status;
    if (outcome !== "completed" || state !== "completed")
      throw new Error(`queue path ended ${outcome} (API: ${state})`);
    return { seconds, invocations };
  } finally {
    await host.close();
  }
}

async function writeRandomFile(file: string, size: number): Promise<void> {
  const out = createWriteStream(file);
  const blockSize = 16 * MiB;
  for (let written = 0; written < size; written += blockSize) {
    // A fresh buffer per write: the stream keeps a reference until it is flushed.
    if (!out.write(randomBytes(Math.min(blockSize, size - written))))
      await new Promise<void>((resolve) => out.once("drain", () => resolve()));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const sizeMiB = Number(process.argv[2] ?? 1024);
  const chunkMiB = Number(process.argv[3] ?? 10);
  const figures = await benchQueuePipeline(sizeMiB * MiB, chunkMiB * MiB);
  console.log(JSON.stringify(figures, null, 2));
  // The app's HTTP stream proxy (started by @azure/functions inside the local host) has no close hook and
  // would keep this process alive.
  process.exit(0);
}
