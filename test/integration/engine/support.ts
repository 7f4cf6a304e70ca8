/**
 * Runs the real step machine with the real fetch-based Graph client and local file source against the Graph
 * emulator over sockets. Waits are recorded, not slept: the emulator's faults are one-shot, so the test can
 * step on at once (no sleeps in tests).
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Destination, JobEvent, StepResult, UploadJob } from "../../../src/core/job/job.js";
import { isTerminal } from "../../../src/core/job/job.js";
import type { TokenProvider } from "../../../src/core/ports/common.js";
import { type EngineDeps, newJob, step } from "../../../src/core/upload/engine.js";
import { DEFAULT_POLICY, type EnginePolicy } from "../../../src/core/upload/policy.js";
import {
  DEFAULT_DRIVE_IDS,
  DEFAULT_TOKEN,
  type EmulatorLimits,
  OffsetClock,
  type RunningEmulator,
  startEmulator,
} from "../../../src/emulator/index.js";
import { GraphClient } from "../../../src/graph/client.js";
import { createSourceOpener } from "../../../src/sources/opener.js";

export const KIB320 = 327_680;
export const MIB = 1024 * 1024;
export const DRIVE = DEFAULT_DRIVE_IDS.opsDocuments;

export interface World {
  readonly emu: RunningEmulator;
  readonly clock: OffsetClock;
  readonly dir: string;
  readonly tokenCalls: { forceRefresh: boolean }[];
  deps(policy?: Partial<EnginePolicy>, requestTimeoutMs?: number, tokens?: TokenProvider): EngineDeps;
  file(name: string, size: number): Promise<{ path: string; bytes: Buffer }>;
  close(): Promise<void>;
}

export async function startWorld(limits: Partial<EmulatorLimits> = {}): Promise<World> {
  const clock = new OffsetClock();
  const emu = await startEmulator({ clock, limits });
  const dir = await mkdtemp(path.join(os.tmpdir(), "gm-engine-"));
  const tokenCalls: { forceRefresh: boolean }[] = [];
  const defaultTokens: TokenProvider = {
    async getToken(options) {
      tokenCalls.push({ forceRefresh: options?.forceRefresh === true });
      return DEFAULT_TOKEN;
    },
  };
  return {
    emu,
    clock,
    dir,
    tokenCalls,
    deps(policy = {}, requestTimeoutMs = 30_000, tokens = defaultTokens) {
      return {
        graph: new GraphClient({ baseUrl: emu.graphBaseUrl, tokens, requestTimeoutMs }),
        sources: createSourceOpener({ requestTimeoutMs }),
        clock,
        random: () => 0.5,
        policy: { ...DEFAULT_POLICY, ...policy },
      };
    },
    async file(name, size) {
      const bytes = randomBytes(size);
      const file = path.join(dir, name);
      await writeFile(file, bytes);
      return { path: file, bytes };
    },
    async close() {
      await emu.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function jobFor(
  file: string,
  destination: Destination,
  options: { chunkSize?: number; simpleUploadMax?: number; conflict?: "replace" | "rename" | "fail" } = {},
): UploadJob {
  return newJob({
    jobId: `job-${path.basename(file)}`,
    requestId: "itest",
    source: { type: "file", path: file },
    destination,
    conflictBehavior: options.conflict ?? "replace",
    chunkSize: options.chunkSize ?? KIB320,
    simpleUploadMax: options.simpleUploadMax ?? 4 * MIB,
    now: Date.now(),
  });
}

export interface Run {
  job: UploadJob;
  readonly events: JobEvent[];
  readonly waits: number[];
  readonly results: StepResult[];
}

/** Steps until `until` holds (default: the job is finished), recording waits instead of sleeping. */
export async function drive(
  job: UploadJob,
  deps: EngineDeps,
  until: (job: UploadJob) => boolean = (j) => isTerminal(j.status),
  maxSteps = 2_000,
  run: Run = { job, events: [], waits: [], results: [] },
): Promise<Run> {
  run.job = job;
  for (let i = 0; i < maxSteps && !until(run.job); i++) {
    const result = await step(run.job, deps);
    run.job = result.job;
    run.results.push(result);
    run.events.push(...result.events);
    if (result.next.type === "wait") run.waits.push(result.next.ms);
  }
  if (!until(run.job))
    throw new Error(`not reached in ${maxSteps} steps: ${JSON.stringify(run.job.lastError)}`);
  return run;
}

export function fragmentBytesSent(emu: RunningEmulator): number {
  return emu.inspect
    .requestLog()
    .filter((r) => r.route === "uploadFragment")
    .reduce((sum, r) => sum + r.requestBytes, 0);
}
