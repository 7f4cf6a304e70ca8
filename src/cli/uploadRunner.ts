/**
 * Runs upload jobs to the end in-process: steps in a loop (the same `step` the queue function runs once per
 * invocation), saving the job after every step before the next one starts (persist-before-use: a new upload
 * URL is on disk before its first fragment), waiting out delays with timers, `parallel` files at a time with the
 * chunks of one file sequential. One throttle deadline per drive slows every job writing to it (docs/graph-protocol.md).
 */

import { isTerminal, type UploadJob } from "../core/job/job.js";
import { delay } from "../core/shared/delay.js";
import { type EngineDeps, step } from "../core/upload/engine.js";
import type { FileLabel, ProgressReporter } from "./progress/reporter.js";

export interface RunnableJob {
  readonly key: string;
  readonly label: FileLabel;
  readonly job: UploadJob;
  /** The file's size when known before the upload starts (a local file's stat), for the overall total. */
  readonly expectedSize?: number;
}

export interface RunnerOptions {
  readonly deps: EngineDeps;
  readonly parallel: number;
  readonly save: (key: string, job: UploadJob) => Promise<void>;
  readonly reporter: ProgressReporter;
  readonly signal: AbortSignal;
}

export async function runJobs(jobs: readonly RunnableJob[], options: RunnerOptions): Promise<UploadJob[]> {
  const results: UploadJob[] = jobs.map((j) => j.job);
  for (const { label, job, expectedSize } of jobs) {
    const size = job.fingerprint?.size ?? expectedSize;
    if (size !== undefined) options.reporter.planned?.(label, size);
  }
  const throttledUntil = new Map<string, number>();
  let nextIndex = 0;

  const worker = async (): Promise<void> => {
    while (nextIndex < jobs.length && !options.signal.aborted) {
      const index = nextIndex++;
      const entry = jobs[index];
      if (!entry) return;
      results[index] = await runOne(entry, options, throttledUntil, (job) => {
        results[index] = job;
      });
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(options.parallel, jobs.length)) }, worker);
  await Promise.all(workers);
  return results;
}

async function runOne(
  entry: RunnableJob,
  options: RunnerOptions,
  throttledUntil: Map<string, number>,
  track: (job: UploadJob) => void,
): Promise<UploadJob> {
  let job = entry.job;
  const { deps, signal } = options;
  while (!isTerminal(job.status)) {
    const driveId = job.target?.driveId;
    const until = driveId ? throttledUntil.get(driveId) : undefined;
    if (until !== undefined && until > deps.clock.now()) await delay(until - deps.clock.now(), signal);
    const result = await step(job, deps, signal);
    job = result.job;
    track(job);
    await options.save(entry.key, job);
    options.reporter.events(entry.label, job, result.events);
    if (result.throttleDriveUntil) {
      const { driveId: throttled, until: next } = result.throttleDriveUntil;
      throttledUntil.set(throttled, Math.max(next, throttledUntil.get(throttled) ?? 0));
    }
    if (result.next.type === "wait") await delay(result.next.ms, signal);
  }
  return job;
}
