/**
 * The CLI's driver of the queue worker (src/cli/localPipeline.ts; moved from the old in-process runner's tests,
 * whose assertions it keeps): parallel jobs, every step on disk before the next, one 429 slowing every job on
 * the drive, and Ctrl-C leaving jobs resumable.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { type RunEntry, runLocalPipeline } from "../../../src/cli/localPipeline.js";
import type { JobEvent, UploadJob } from "../../../src/core/job/job.js";
import { systemClock } from "../../../src/core/ports/common.js";
import { type EngineDeps, newJob, resumeJob } from "../../../src/core/upload/engine.js";
import { DEFAULT_POLICY } from "../../../src/core/upload/policy.js";
import { parseRows } from "../../../src/store/fileJobDocument.js";
import { FileJobStore } from "../../../src/store/fileJobStore.js";
import { KIB320 } from "../engine/harness.js";
import { httpFailure, MemoryGraph, MemorySource } from "../engine/memoryGraph.js";

function jobs(count: number, size: number): { entries: RunEntry[]; sources: Map<string, MemorySource> } {
  const sources = new Map<string, MemorySource>();
  const entries = Array.from({ length: count }, (_, i) => {
    const path = `/f${i}.bin`;
    sources.set(path, new MemorySource(randomBytes(size)));
    const job = newJob({
      jobId: `j${i}`,
      requestId: "r",
      source: { type: "file", path },
      destination: { type: "drive", driveId: "drive-1", path },
      conflictBehavior: "replace",
      chunkSize: KIB320,
      simpleUploadMax: 0,
      now: Date.now(),
    });
    return { label: { file: path, destination: path }, job };
  });
  return { entries, sources };
}

function engine(graph: MemoryGraph, sources: Map<string, MemorySource>): EngineDeps {
  return {
    graph,
    sources: {
      open: (ref) => sources.get(ref.type === "file" ? ref.path : "") ?? new MemorySource(Buffer.alloc(0)),
    },
    clock: systemClock,
    random: () => 0.5,
    policy: DEFAULT_POLICY,
  };
}

async function jobFile(): Promise<{ file: string; store: FileJobStore }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "gm-pipeline-"));
  const file = path.join(dir, "jobs.json");
  return { file, store: await FileJobStore.open(file, { option: "--state", resume: resumeJob }) };
}

function onDisk(file: string, jobId: string): UploadJob | undefined {
  return parseRows(readFileSync(file, "utf8"))?.find((row) => row.job.jobId === jobId)?.job;
}

/** A Graph fake that records when each fragment was sent. */
function timedGraph(): { graph: MemoryGraph; fragmentTimes: number[] } {
  const graph = new MemoryGraph(systemClock);
  const fragmentTimes: number[] = [];
  const upload = graph.uploadFragment.bind(graph);
  graph.uploadFragment = async (url, fragment) => {
    fragmentTimes.push(Date.now());
    return upload(url, fragment);
  };
  return { graph, fragmentTimes };
}

describe("CLI pipeline driver", () => {
  it("runs jobs in parallel, has every step on disk before reporting it, and slows every job on a throttled drive", async () => {
    const { graph, fragmentTimes } = timedGraph();
    graph.faults.push({ op: "fragment", nth: 3, failure: httpFailure(429, { retryAfter: "0.3" }) });
    const { entries, sources } = jobs(3, 3 * KIB320);
    const { file, store } = await jobFile();
    const events: JobEvent[] = [];
    let reported = 0;
    const stale: string[] = [];
    const results = await runLocalPipeline(entries, {
      store,
      engine: engine(graph, sources),
      parallel: 2,
      reporter: {
        resumed: () => {},
        events: (_l, job, e) => {
          reported++;
          // Persist-before-use: the step being reported is already in the file (its upload URL included).
          const saved = onDisk(file, job.jobId);
          if (
            saved?.attempts.steps !== job.attempts.steps ||
            saved?.session?.uploadUrl !== job.session?.uploadUrl
          )
            stale.push(job.jobId);
          events.push(...e);
        },
        close: () => {},
      },
      signal: new AbortController().signal,
    });
    await store.close();
    expect(results.map((j) => j.status)).toEqual(["completed", "completed", "completed"]);
    expect(reported).toBe(results.reduce((n, j) => n + j.attempts.steps, 0));
    expect(stale).toEqual([]);
    const throttledAt = fragmentTimes[2] ?? 0;
    const during = fragmentTimes.filter((t) => t > throttledAt + 20 && t < throttledAt + 280);
    expect(during).toEqual([]);
    expect(events.some((e) => e.type === "retrying" && e.delayMs === 300)).toBe(true);
    // Request counts: 3 fragments per job, plus the one refused with 429, and nothing else sent twice.
    expect(graph.count("fragment")).toBe(10);
    expect(graph.count("create")).toBe(3);
  });

  it("holds back every job on a drive another job's 429 blocked, without a request, until the block ends", async () => {
    const { graph, fragmentTimes } = timedGraph();
    graph.faults.push({ op: "fragment", nth: 1, failure: httpFailure(429, { retryAfter: "0.5" }) });
    const { entries, sources } = jobs(4, 2 * KIB320);
    const { store } = await jobFile();
    const results = await runLocalPipeline(entries, {
      store,
      engine: engine(graph, sources),
      parallel: 4,
      reporter: { resumed: () => {}, events: () => {}, close: () => {} },
      signal: new AbortController().signal,
    });
    await store.close();
    expect(results.map((j) => j.status)).toEqual(["completed", "completed", "completed", "completed"]);
    const first = fragmentTimes[0] ?? 0;
    // After the refused fragment, no fragment of any job goes out before the half-second block ends.
    expect(fragmentTimes.filter((t) => t > first + 20 && t < first + 450)).toEqual([]);
    expect(graph.count("fragment")).toBe(4 * 2 + 1);
  });

  it("stops at once when aborted, leaving jobs resumable", async () => {
    const graph = new MemoryGraph(systemClock);
    graph.faults.push({ op: "fragment", nth: 1, failure: httpFailure(503, { retryAfter: "30" }) });
    const { entries, sources } = jobs(1, 2 * KIB320);
    const { file, store } = await jobFile();
    const controller = new AbortController();
    let last: UploadJob | undefined;
    const started = Date.now();
    const run = runLocalPipeline(entries, {
      store,
      engine: engine(graph, sources),
      parallel: 1,
      reporter: {
        resumed: () => {},
        events: (_l, job) => {
          last = job;
          if (job.lastError?.code === "throttled") controller.abort(new Error("interrupted"));
        },
        close: () => {},
      },
      signal: controller.signal,
    });
    await expect(run).rejects.toThrow("interrupted");
    expect(Date.now() - started).toBeLessThan(10_000);
    // One session, one refused fragment, and nothing sent after the abort (no retry of the throttled fragment).
    expect(graph.count("create")).toBe(1);
    expect(graph.count("fragment")).toBe(1);
    await store.close();
    expect(last?.session?.uploadUrl).toBeDefined();
    expect(last?.status).toBe("uploading");
    expect(onDisk(file, "j0")?.session?.uploadUrl).toBe(last?.session?.uploadUrl);
  });
});
