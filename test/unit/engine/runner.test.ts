import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { type RunnableJob, runJobs } from "../../../src/cli/uploadRunner.js";
import type { JobEvent, UploadJob } from "../../../src/core/job/job.js";
import { systemClock } from "../../../src/core/ports/common.js";
import { newJob } from "../../../src/core/upload/engine.js";
import { DEFAULT_POLICY } from "../../../src/core/upload/policy.js";
import { KIB320 } from "./harness.js";
import { httpFailure, MemoryGraph, MemorySource } from "./memoryGraph.js";

function jobs(count: number, size: number): { runnable: RunnableJob[]; sources: Map<string, MemorySource> } {
  const sources = new Map<string, MemorySource>();
  const runnable = Array.from({ length: count }, (_, i) => {
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
    return { key: path, label: { file: path, destination: path }, job };
  });
  return { runnable, sources };
}

describe("CLI upload runner", () => {
  it("runs jobs in parallel, saves after every step, and slows every job on a throttled drive", async () => {
    const graph = new MemoryGraph(systemClock);
    const fragmentTimes: number[] = [];
    const upload = graph.uploadFragment.bind(graph);
    graph.uploadFragment = async (url, fragment) => {
      fragmentTimes.push(Date.now());
      return upload(url, fragment);
    };
    graph.faults.push({ op: "fragment", nth: 3, failure: httpFailure(429, { retryAfter: "0.3" }) });
    const { runnable, sources } = jobs(3, 3 * KIB320);
    const saves: UploadJob[] = [];
    const events: JobEvent[] = [];
    const results = await runJobs(runnable, {
      deps: {
        graph,
        sources: {
          open: (ref) =>
            sources.get(ref.type === "file" ? ref.path : "") ?? new MemorySource(Buffer.alloc(0)),
        },
        clock: systemClock,
        random: () => 0.5,
        policy: DEFAULT_POLICY,
      },
      parallel: 2,
      save: async (_key, job) => {
        saves.push(job);
      },
      reporter: { resumed: () => {}, events: (_l, _j, e) => events.push(...e), close: () => {} },
      signal: new AbortController().signal,
    });
    expect(results.map((j) => j.status)).toEqual(["completed", "completed", "completed"]);
    expect(saves.length).toBe(results.reduce((n, j) => n + j.attempts.steps, 0));
    const throttledAt = fragmentTimes[2] ?? 0;
    const during = fragmentTimes.filter((t) => t > throttledAt + 20 && t < throttledAt + 280);
    expect(during).toEqual([]);
    expect(events.some((e) => e.type === "retrying" && e.delayMs === 300)).toBe(true);
  });

  it("stops at once when aborted, leaving jobs resumable", async () => {
    const graph = new MemoryGraph(systemClock);
    graph.faults.push({ op: "fragment", nth: 1, failure: httpFailure(503, { retryAfter: "30" }) });
    const { runnable, sources } = jobs(1, 2 * KIB320);
    const controller = new AbortController();
    let last: UploadJob | undefined;
    const run = runJobs(runnable, {
      deps: {
        graph,
        sources: { open: () => sources.get("/f0.bin") ?? new MemorySource(Buffer.alloc(0)) },
        clock: systemClock,
        random: () => 0.5,
        policy: DEFAULT_POLICY,
      },
      parallel: 1,
      save: async (_k, job) => {
        last = job;
        if (job.lastError?.code === "throttled") controller.abort(new Error("interrupted"));
      },
      reporter: { resumed: () => {}, events: () => {}, close: () => {} },
      signal: controller.signal,
    });
    await expect(run).rejects.toThrow("interrupted");
    expect(last?.session?.uploadUrl).toBeDefined();
    expect(last?.status).toBe("uploading");
  });
});
