/**
 * Runs mirror definitions in this process (the `graph-mirror mirror` command and the bundled sample): a pass,
 * then the jobs it created (and unfinished jobs of an earlier, interrupted run, resumed) through the queue
 * worker driven in process (localPipeline.ts) with progress, recording each job's end in the manifest and
 * history as it finishes.
 *
 * State lives in a folder: `mirror-state.json` (manifest and history, no secrets) and `mirror-jobs.json` (the
 * job file, src/store/fileJobStore.ts, mode 0600 because jobs hold upload URLs).
 */

import path from "node:path";
import type { UploadJob } from "../core/job/job.js";
import type { Clock } from "../core/ports/common.js";
import type { DriveDirectory } from "../core/ports/mirror.js";
import { type EngineDeps, resumeJob } from "../core/upload/engine.js";
import type { MirrorDefinitions } from "../mirror/definitions.js";
import { recordMirrorJobEnd } from "../mirror/jobEnd.js";
import { type ListerOptions, listerFactory } from "../mirror/listers.js";
import { LocalJobSink } from "../mirror/localSink.js";
import type { MirrorLogger } from "../mirror/mirrorLog.js";
import { DestinationResolver } from "../mirror/resolver.js";
import { type PassReport, runMirrorPass } from "../mirror/runner.js";
import { describeSftp } from "../sources/sftp/sftpSource.js";
import { FileJobStore } from "../store/fileJobStore.js";
import { FileMirrorState } from "../store/manifestFile.js";
import { type RunEntry, runLocalPipeline } from "./localPipeline.js";
import { JOBS_FILE, STATE_FILE } from "./mirrorStateDir.js";
import type { ProgressReporter } from "./progress/reporter.js";

/** The option that chose the state folder, named when a file in it cannot be used. */
const STATE_OPTION = "--state-dir";

export interface LocalMirrorOptions {
  readonly definitions: MirrorDefinitions;
  readonly engine: EngineDeps;
  readonly directory: DriveDirectory;
  readonly sources: ListerOptions;
  readonly jobSettings: { readonly chunkSize: number; readonly simpleUploadMax: number };
  readonly stateDir: string;
  readonly resolveTtlMs: number;
  readonly dryRun: boolean;
  readonly parallel: number;
  /** Small files (simple uploads) at the same time, beside `parallel` (docs/upload.md "Concurrency"). */
  readonly parallelSmall?: number;
  readonly only?: readonly string[];
  readonly reporter: ProgressReporter;
  readonly log: MirrorLogger;
  readonly clock: Clock;
  readonly newId: () => string;
  readonly signal: AbortSignal;
}

export interface LocalMirrorResult {
  readonly pass: PassReport;
  /** Every job run in this process, at its end (in dry-run: none). */
  readonly jobs: readonly UploadJob[];
}

export async function runLocalMirror(options: LocalMirrorOptions): Promise<LocalMirrorResult> {
  const state = await FileMirrorState.open(path.join(options.stateDir, STATE_FILE));
  const jobs = await FileJobStore.open(path.join(options.stateDir, JOBS_FILE), {
    option: STATE_OPTION,
    resume: resumeJob,
  });
  try {
    return await passThenJobs(options, state, jobs);
  } finally {
    await jobs.close();
  }
}

async function passThenJobs(
  options: LocalMirrorOptions,
  state: FileMirrorState,
  jobs: FileJobStore,
): Promise<LocalMirrorResult> {
  const sink = new LocalJobSink({ get: (jobId) => jobs.peek(jobId) });
  const pass = await runMirrorPass(
    options.definitions,
    {
      clock: options.clock,
      manifest: state.manifest,
      history: state.history,
      directory: options.directory,
      resolver: new DestinationResolver(options.directory, options.clock, options.resolveTtlMs),
      newId: options.newId,
      jobSettings: options.jobSettings,
      listerFor: listerFactory(options.sources),
      jobs: sink,
      log: options.log,
    },
    { dryRun: options.dryRun, signal: options.signal, ...(options.only ? { only: options.only } : {}) },
  );
  if (options.dryRun) return { pass, jobs: [] };
  // The pass's own writes (pending rows, conflicts, deletions, run records) reach disk before any upload.
  await state.save();
  // The pass has recorded every finished job of earlier runs, so the job file keeps only the unfinished ones:
  // it does not grow with every pass, and is written to after every step.
  await jobs.retain(sink.resumable.map((job) => job.jobId));

  const labels = uploadLabels(pass);
  const label = (job: UploadJob) => ({
    file: labels.get(job.jobId) ?? sourceLabel(job),
    destination: job.destination.path,
  });
  const entries: RunEntry[] = [
    ...sink.resumable.map((job) => ({ job, label: label(job), existing: true })),
    ...sink.submitted.map((job) => ({ job, label: label(job) })),
  ];
  const endDeps = { manifest: state.manifest, history: state.history, log: options.log };
  const finished = await runLocalPipeline(entries, {
    store: jobs,
    engine: options.engine,
    parallel: options.parallel,
    ...(options.parallelSmall !== undefined ? { parallelSmall: options.parallelSmall } : {}),
    reporter: options.reporter,
    signal: options.signal,
    onJobEnd: async (job) => {
      if (await recordMirrorJobEnd(job, endDeps)) await state.save();
    },
  });
  return { pass, jobs: finished };
}

function uploadLabels(pass: PassReport): Map<string, string> {
  const labels = new Map<string, string>();
  for (const run of pass.runs) {
    for (const destination of run.destinations) {
      for (const upload of destination.uploads) {
        if (upload.jobId) labels.set(upload.jobId, `${run.mirror}: ${upload.path}`);
      }
    }
  }
  return labels;
}

function sourceLabel(job: UploadJob): string {
  switch (job.source.type) {
    case "file":
      return job.source.path;
    case "blob":
      return `blob:${job.source.container}/${job.source.blob}`;
    case "url":
      return new URL(job.source.url).pathname;
    case "sftp":
      return describeSftp(job.source);
  }
}
