import { randomBytes } from "node:crypto";
import type { JobEvent, StepResult, UploadJob } from "../../../src/core/job/job.js";
import { isTerminal } from "../../../src/core/job/job.js";
import { type EngineDeps, newJob, step } from "../../../src/core/upload/engine.js";
import { DEFAULT_POLICY, type EnginePolicy } from "../../../src/core/upload/policy.js";
import { ManualClock, MemoryGraph, MemorySource } from "./memoryGraph.js";

export const KIB320 = 327_680;

export interface Harness {
  readonly graph: MemoryGraph;
  readonly source: MemorySource;
  readonly clock: ManualClock;
  readonly deps: EngineDeps;
  job: UploadJob;
}

export function harness(
  size: number,
  options: {
    chunkSize?: number;
    simpleUploadMax?: number;
    policy?: Partial<EnginePolicy>;
    path?: string;
  } = {},
): Harness {
  const clock = new ManualClock();
  const graph = new MemoryGraph(clock);
  const source = new MemorySource(randomBytes(size));
  const deps: EngineDeps = {
    graph,
    sources: { open: () => source },
    clock,
    random: () => 0.5,
    policy: { ...DEFAULT_POLICY, ...options.policy },
  };
  const job = newJob({
    jobId: "job-1",
    requestId: "req-1",
    source: { type: "file", path: "/tmp/x" },
    destination: { type: "drive", driveId: "drive-1", path: options.path ?? "/folder/file.bin" },
    conflictBehavior: "replace",
    chunkSize: options.chunkSize ?? KIB320,
    simpleUploadMax: options.simpleUploadMax ?? 4 * 1024 * 1024,
    now: clock.now(),
  });
  return { graph, source, clock, deps, job };
}

/** One step; waits are "slept" by advancing the manual clock. */
export async function stepOnce(h: Harness): Promise<StepResult> {
  const result = await step(h.job, h.deps);
  h.job = result.job;
  if (result.next.type === "wait") h.clock.advance(result.next.ms);
  return result;
}

export async function runToEnd(
  h: Harness,
  maxSteps = 500,
): Promise<{ events: JobEvent[]; results: StepResult[] }> {
  const events: JobEvent[] = [];
  const results: StepResult[] = [];
  for (let i = 0; i < maxSteps && !isTerminal(h.job.status); i++) {
    const result = await stepOnce(h);
    results.push(result);
    events.push(...result.events);
  }
  if (!isTerminal(h.job.status)) throw new Error(`job did not finish in ${maxSteps} steps`);
  return { events, results };
}

/** Steps until the predicate holds for the job. */
export async function stepUntil(
  h: Harness,
  done: (job: UploadJob) => boolean,
  maxSteps = 200,
): Promise<void> {
  for (let i = 0; i < maxSteps; i++) {
    if (done(h.job)) return;
    await stepOnce(h);
  }
  throw new Error("condition not reached");
}
