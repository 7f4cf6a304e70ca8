/**
 * `graph-mirror upload <file...> --to <destination>` (issue 3; option names and `drive:` are fixed: outside
 * scripts depend on them). Validates everything before any network call, then runs the step machine per file
 * with progress bars or JSON lines, saving every job to a state file after every step so the same command,
 * run again after Ctrl-C or SIGKILL, resumes from the server's confirmed offset.
 */
import { createHash, randomUUID } from "node:crypto";
import os from "node:os";
import path from "node:path";
import type { Command } from "commander";
import { engineDeps } from "../../app/engine.js";
import { createServices, type Services } from "../../app/services.js";
import { assertWriteAllowed } from "../../auth/gate.js";
import type { Env } from "../../config/auth.js";
import { loadConfig } from "../../config/index.js";
import { parseDestination } from "../../core/job/destinations.js";
import { type ConflictBehavior, type Destination, isTerminal, type UploadJob } from "../../core/job/job.js";
import { formatBytes, parseByteSize } from "../../core/shared/units.js";
import { ConfigError, type FieldProblem } from "../../core/shared/validationError.js";
import { ChunkBufferPool } from "../../core/upload/bufferPool.js";
import { chunkSizeProblem } from "../../core/upload/chunkPlan.js";
import { newJob, reopenFailedJob, resumeJob } from "../../core/upload/engine.js";
import { DEFAULT_POLICY } from "../../core/upload/policy.js";
import { createSourceOpener } from "../../sources/opener.js";
import { FileJobStore } from "../../store/fileJobStore.js";
import { type RunEntry, runLocalPipeline } from "../localPipeline.js";
import { addParallelOptions, type ParallelOptions, parseParallel } from "../parallelOptions.js";
import { chooseReporter } from "../progress/choose.js";
import type { ProgressReporter } from "../progress/reporter.js";
import { type PlannedFile, planUploads } from "../uploadPlan.js";

export interface UploadOptions extends ParallelOptions {
  readonly to: string;
  readonly chunkSize?: string;
  readonly conflict: string;
  readonly json?: boolean;
  readonly state?: string;
  readonly recursive?: boolean;
  readonly include?: string[];
  readonly exclude?: string[];
  readonly dryRun?: boolean;
  /** Global -v / -q. */
  readonly verbose?: boolean;
  readonly quiet?: boolean;
}

export interface CommandIo {
  readonly env: Env;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
}

const CONFLICTS: readonly ConflictBehavior[] = ["replace", "rename", "fail"];

export function register(program: Command): void {
  const command = program
    .command("upload")
    .description("upload files to a OneDrive or SharePoint drive, resumably (run again to resume)")
    .argument("<file...>", "local files to upload (folders with --recursive)")
    .requiredOption(
      "--to <destination>",
      "drive:<driveId>:<path> | onedrive:<user>:<path> | sharepoint:<site URL>:<library>:<path> " +
        "(a path ending in / keeps each file's name)",
    )
    .option(
      "--chunk-size <size>",
      "fragment size, a multiple of 320KiB under 60MiB (default: CHUNK_SIZE, else sized to the link from 10MiB)",
    )
    .option("--conflict <behavior>", "replace | rename | fail", "replace")
    .option("--json", "print one JSON object per event instead of progress bars")
    .option(
      "--state <file>",
      "job state file used to resume (default: one per command under ~/.local/state)",
    );
  addParallelOptions(command)
    .option("-r, --recursive", "upload the files under each folder argument, keeping their relative paths")
    .option("--include <glob...>", "with --recursive: only paths (relative to the folder) matching a glob")
    .option("--exclude <glob...>", "with --recursive: skip paths matching a glob")
    .option("--dry-run", "print what would be uploaded where, and send nothing")
    .action(async (files: string[], options: UploadOptions, command: Command) => {
      const globals = command.optsWithGlobals<{ verbose?: boolean; quiet?: boolean }>();
      const all = { ...options, verbose: globals.verbose === true, quiet: globals.quiet === true };
      process.exitCode = await uploadCommand(files, all, {
        env: process.env,
        stdout: process.stdout,
        stderr: process.stderr,
      });
    });
}

export async function uploadCommand(files: string[], options: UploadOptions, io: CommandIo): Promise<number> {
  const settings = parseOptions(options, io.env);
  const spec = parseDestination(options.to);
  if ((files.length > 1 || options.recursive) && !spec.intoFolder) {
    throw new ConfigError(
      [{ field: "--to", rule: "with several files the path must end with / (a folder)" }],
      "option",
    );
  }
  const planned = await planUploads(files, spec, {
    recursive: options.recursive === true,
    include: options.include ?? [],
    exclude: options.exclude ?? [],
  });
  if (options.dryRun) {
    for (const p of planned)
      io.stdout.write(`would upload ${p.file} (${formatBytes(p.size)}) -> ${p.destination.path}\n`);
    io.stdout.write(`dry run: ${planned.length} file(s), nothing sent\n`);
    return 0;
  }
  // A token known to be unable to write is refused before any Graph call, with guidance (issue 5).
  await assertWriteAllowed(settings.services.tokens());
  const store = await FileJobStore.open(options.state ?? defaultStatePath(io.env, planned, options.to), {
    option: "--state",
    resume: resumeJob,
  });
  const controller = new AbortController();
  const interrupt = () => controller.abort(new Error("interrupted"));
  process.once("SIGINT", interrupt);
  process.once("SIGTERM", interrupt);
  let failed: number | undefined;
  try {
    failed = await runUploads(planned, store, settings, options, io, controller.signal);
    if (failed === undefined) return 130;
  } finally {
    process.off("SIGINT", interrupt);
    process.off("SIGTERM", interrupt);
    // Every file uploaded and no --state given: nothing is left to resume.
    await store.close({ deleteFile: failed === 0 && options.state === undefined });
  }
  return failed === 0 ? 0 : 1;
}

/**
 * Runs the planned files through the CLI's queue worker (src/cli/localPipeline.ts), saving every job to the job
 * file after every step. The number of files that did not complete, each reported on stderr; undefined when
 * interrupted (Ctrl-C), after saying how to resume.
 */
async function runUploads(
  planned: readonly PlannedFile[],
  store: FileJobStore,
  settings: Settings,
  options: UploadOptions,
  io: CommandIo,
  signal: AbortSignal,
): Promise<number | undefined> {
  const { services } = settings;
  const reporter = await chooseReporter(options, io.stdout);
  const entries = await uploadEntries(planned, store, settings, reporter);
  let results: UploadJob[];
  try {
    results = await runLocalPipeline(entries, {
      store,
      engine: engineDeps(
        services,
        createSourceOpener({ requestTimeoutMs: services.config.graph.requestTimeoutMs }),
        {
          // The job file keeps a session a job gave up on, so running the command again resumes it.
          policy: { ...DEFAULT_POLICY, keepSessionOnGiveUp: true },
          buffers: new ChunkBufferPool(),
        },
      ),
      parallel: settings.parallel,
      parallelSmall: settings.parallelSmall,
      reporter,
      signal,
    });
  } catch (err: unknown) {
    reporter.close();
    if (signal.aborted) {
      io.stderr.write("graph-mirror: interrupted; run the same command again to resume\n");
      return undefined;
    }
    throw err;
  }
  reporter.close();
  let failed = 0;
  results.forEach((job, i) => {
    if (job.status === "completed") return;
    failed++;
    const label = entries[i]?.label;
    const error = job.lastError;
    io.stderr.write(
      `graph-mirror: failed: ${label?.file} -> ${label?.destination}: ${error?.code ?? job.status}: ${error?.message ?? ""}\n`,
    );
  });
  return failed;
}

/**
 * One job per planned file: the earlier run's job for the same file and destination, resumed (or reopened when
 * it only ran out of retries), else a new one; an earlier job that cannot continue is dropped from the file.
 */
async function uploadEntries(
  planned: readonly PlannedFile[],
  store: FileJobStore,
  settings: Settings,
  reporter: ProgressReporter,
): Promise<RunEntry[]> {
  const saved = savedByKey(store.jobs());
  const replaced: string[] = [];
  const requestId = randomUUID();
  const entries = planned.map(({ file, absolute, destination, size }): RunEntry => {
    const label = { file, destination: destination.path };
    const earlier = saved.get(uploadKey(absolute, destination));
    const resumable = earlier && (isTerminal(earlier.status) ? reopenFailedJob(earlier) : resumeJob(earlier));
    if (resumable) {
      reporter.resumed(label, resumable);
      return { label, job: resumable, expectedSize: size, existing: true };
    }
    if (earlier) replaced.push(earlier.jobId);
    const job = newJob({
      jobId: randomUUID(),
      requestId,
      source: { type: "file", path: absolute },
      destination,
      conflictBehavior: settings.conflict,
      chunkSize: settings.chunkSize,
      simpleUploadMax: settings.services.config.graph.simpleUploadMax,
      now: Date.now(),
    });
    return { label, job, expectedSize: size };
  });
  await store.drop(replaced);
  return entries;
}

/** A file's job is found again by its source file and destination, as the state file's key always was. */
function uploadKey(absolute: string, destination: Destination): string {
  return `${absolute}\n${JSON.stringify(destination)}`;
}

/** The newest job of each file and destination in the job file. */
function savedByKey(jobs: readonly UploadJob[]): Map<string, UploadJob> {
  const byKey = new Map<string, UploadJob>();
  for (const job of jobs) {
    if (job.source.type !== "file") continue;
    const key = uploadKey(job.source.path, job.destination);
    const other = byKey.get(key);
    if (!other || other.createdAt <= job.createdAt) byKey.set(key, job);
  }
  return byKey;
}

interface Settings {
  /** The composition root's services (src/app/services.ts): one token provider, one Graph client. */
  readonly services: Services;
  /** CHUNK_SIZE, or --chunk-size when given. */
  readonly chunkSize: number;
  readonly conflict: ConflictBehavior;
  readonly parallel: number;
  readonly parallelSmall: number;
}

function parseOptions(options: UploadOptions, env: Env): Settings {
  const problems: FieldProblem[] = [];
  let chunkOverride: number | undefined;
  if (options.chunkSize !== undefined) {
    chunkOverride = parseByteSize(options.chunkSize);
    const problem =
      chunkOverride === undefined
        ? "must be a size such as 320KiB or 10MiB"
        : chunkSizeProblem(chunkOverride);
    if (problem) problems.push({ field: "--chunk-size", rule: problem });
  }
  const conflict = CONFLICTS.find((c) => c === options.conflict);
  if (!conflict) problems.push({ field: "--conflict", rule: "must be replace, rename or fail" });
  const { parallel, parallelSmall } = parseParallel(options, problems);
  if (problems.length > 0 || !conflict) throw new ConfigError(problems, "option");
  const services = createServices(loadConfig(env));
  return {
    services,
    chunkSize: chunkOverride ?? services.config.graph.chunkSize,
    conflict,
    parallel,
    parallelSmall,
  };
}

/** One state file per distinct command (files + destination), so re-running the same command resumes it. */
function defaultStatePath(env: Env, files: readonly PlannedFile[], to: string): string {
  const base = env.XDG_STATE_HOME?.trim() || path.join(os.homedir(), ".local", "state");
  const digest = createHash("sha256")
    .update(JSON.stringify({ files: files.map((f) => f.absolute), to }))
    .digest("hex")
    .slice(0, 16);
  return path.join(base, "graph-mirror", `upload-${digest}.json`);
}
