/**
 * `graph-mirror status` (issue 6): recent mirror runs with their results, and active jobs with a progress bar
 * per upload. Reads the state folder of the given definitions by default (src/cli/mirrorStateDir.ts), or with
 * --azure the function app's tables, with the app's own storage settings (environment over local.settings.json).
 * Never prints upload URLs, tokens or connection strings.
 */
import path from "node:path";
import type { Command } from "commander";
import { createServices } from "../../app/services.js";
import type { Env } from "../../config/auth.js";
import { loadConfig } from "../../config/index.js";
import { isTerminal, type UploadJob } from "../../core/job/job.js";
import type { HistoryStore, ManifestStore, PendingMirrorJob, RunRecord } from "../../core/ports/mirror.js";
import { progressBar } from "../../core/shared/progressBar.js";
import { ConfigError } from "../../core/shared/validationError.js";
import { mergeSettings, readLocalSettings } from "../../localhost/localSettings.js";
import { loadMirrorDefinitions } from "../../mirror/settings.js";
import { createMirrorStores } from "../../mirror/storage.js";
import { createStorage, type StorageFactoryOptions } from "../../store/factory.js";
import { FileJobStore } from "../../store/fileJobStore.js";
import { FileMirrorState } from "../../store/manifestFile.js";
import {
  derivedStateDir,
  explicitStateDir,
  JOBS_FILE,
  STATE_FILE,
  stateDirToRead,
} from "../mirrorStateDir.js";
import { statusStorageOptions } from "./statusCredential.js";
import { figuresOf, formatFigures, type StatusFigures } from "./statusFigures.js";

export interface StatusOptions {
  readonly azure?: boolean;
  /** With --azure: managed-identity (default) or cli (statusCredential.ts). */
  readonly credential?: string;
  readonly stateDir?: string;
  readonly json?: boolean;
  readonly limit: string;
  readonly days?: string;
}

export interface ActiveJob {
  readonly mirror: string;
  readonly path: string;
  readonly destination: string;
  readonly status: string;
  readonly bytesConfirmed: number;
  readonly size?: number;
  readonly lastError?: string;
  readonly lastErrorCode?: string;
}

export interface StatusReport {
  readonly runs: readonly RunRecord[];
  readonly active: readonly ActiveJob[];
  readonly figures: StatusFigures;
}

export function register(program: Command): void {
  program
    .command("status")
    .description("recent mirror runs and active jobs, with progress bars for active uploads")
    .option(
      "--azure",
      "read the function app's tables instead of the local state (AzureWebJobsStorage or its __* forms, from the environment or ./local.settings.json)",
    )
    .option(
      "--credential <kind>",
      "with --azure and identity-based storage: managed-identity (default) or cli (your `az login`)",
    )
    .option(
      "--state-dir <dir>",
      "the local state folder of `graph-mirror mirror` (default: MIRROR_STATE_DIR, else that of MIRRORS_FILE / MIRRORS)",
    )
    .option("--json", "print one JSON document")
    .option("--limit <n>", "how many recent runs", "10")
    .option("--days <n>", "the period of the figures (bytes, completed, failed by reason)", "7")
    .action(async (options: StatusOptions) => {
      process.exitCode = await statusCommand(options, {
        env: process.env,
        stdout: process.stdout,
        stderr: process.stderr,
      });
    });
}

export interface StatusIo {
  readonly env: Env;
  readonly stdout: NodeJS.WritableStream;
  /** Notices (the legacy shared state folder); dropped when absent. */
  readonly stderr?: NodeJS.WritableStream;
  /** With --azure: the folder whose local.settings.json is read (default: the current one, as `func start`). */
  readonly appDir?: string;
}

export async function statusCommand(options: StatusOptions, io: StatusIo): Promise<number> {
  const limit = Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new ConfigError([{ field: "--limit", rule: "must be a whole number from 1 to 1000" }], "option");
  }
  const days = Number(options.days ?? "7");
  if (!Number.isInteger(days) || days < 1 || days > 365) {
    throw new ConfigError([{ field: "--days", rule: "must be a whole number from 1 to 365" }], "option");
  }
  if (options.credential !== undefined && !options.azure)
    throw new ConfigError([{ field: "--credential", rule: "is used only with --azure" }], "option");
  const since = Date.now() - days * 24 * 60 * 60 * 1000;
  const report = options.azure
    ? await azureStatus(await appSettings(io), limit, since, statusStorageOptions(options.credential))
    : await localStatus(await localStateDir(options, io), limit, since);
  if (options.json) {
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    for (const line of formatStatus(report)) io.stdout.write(`${line}\n`);
  }
  return 0;
}

/**
 * The state of the definitions this shell is given (MIRRORS_FILE / MIRRORS), as `graph-mirror mirror` keeps it
 * (mirrorStateDir.ts): never a folder shared by every definitions set on the machine.
 */
async function localStateDir(options: StatusOptions, io: StatusIo): Promise<string> {
  const explicit = explicitStateDir(options.stateDir, io.env);
  if (explicit) return explicit;
  const settings = loadConfig(io.env).mirror;
  if (!settings.mirrorsFile && !settings.mirrorsJson) {
    throw new ConfigError([
      {
        field: "MIRRORS_FILE",
        rule: "or MIRRORS is required to know whose state to show (or give --state-dir / MIRROR_STATE_DIR)",
      },
    ]);
  }
  // The key of a MIRRORS_FILE is its path: the file itself need not be read (or readable) to show its state.
  const definitions = settings.mirrorsFile
    ? { valid: [], invalid: [] }
    : await loadMirrorDefinitions(settings);
  const chosen = await stateDirToRead(derivedStateDir(io.env, settings, definitions), io.env);
  if (chosen.notice) io.stderr?.write(`graph-mirror: ${chosen.notice}\n`);
  return chosen.dir;
}

async function localStatus(stateDir: string, limit: number, since: number): Promise<StatusReport> {
  const state = await FileMirrorState.open(path.join(stateDir, STATE_FILE));
  const jobs = await FileJobStore.read(path.join(stateDir, JOBS_FILE), "--state-dir");
  return collect(state.manifest, state.history, limit, since, async (p) => jobs.get(p.jobId));
}

/**
 * The settings the function app sees when run locally: local.settings.json's Values under the environment's
 * (`func start` rules, src/localhost/localSettings.ts), so the operator need not export AzureWebJobsStorage.
 * loadConfig then reads them exactly as the app does, identity-based `__*` forms included.
 */
async function appSettings(io: StatusIo): Promise<Env> {
  const appDir = io.appDir ?? process.cwd();
  try {
    return mergeSettings(await readLocalSettings(appDir), io.env);
  } catch (err: unknown) {
    // The reader's messages name the file and the rule and never a value (values may be connection strings).
    const rule =
      err instanceof Error ? err.message.replace(/^local\.settings\.json:?\s*/, "") : "cannot be read";
    throw new ConfigError([{ field: path.join(appDir, "local.settings.json"), rule }]);
  }
}

async function azureStatus(
  env: Env,
  limit: number,
  since: number,
  storageOptions: StorageFactoryOptions,
): Promise<StatusReport> {
  const config = createServices(loadConfig(env)).storageConfig();
  // Read-only stores with the operator's credential (statusCredential.ts), not the root's storage(): that one
  // signs in as the app and creates the tables and queues it lacks, and status only reads.
  const stores = createMirrorStores(config, storageOptions);
  const storage = createStorage(config, storageOptions);
  return collect(
    stores.manifest,
    stores.history,
    limit,
    since,
    async (p) => (await storage.jobs.get(p.jobId, p.runId))?.job,
  );
}

async function collect(
  manifest: ManifestStore,
  history: HistoryStore,
  limit: number,
  since: number,
  jobOf: (pending: PendingMirrorJob) => Promise<UploadJob | undefined>,
): Promise<StatusReport> {
  const runs = await history.recentRuns({ limit });
  const mirrors = [...new Set(runs.map((r) => r.mirror))];
  const active: ActiveJob[] = [];
  for (const mirror of mirrors) {
    for (const pending of await manifest.listPending(mirror)) {
      const job = await jobOf(pending);
      if (!job || isTerminal(job.status)) continue;
      active.push({
        mirror,
        path: pending.path,
        destination: pending.destinationLabel,
        status: job.status,
        bytesConfirmed: job.confirmedOffset,
        ...(job.fingerprint ? { size: job.fingerprint.size } : {}),
        ...(job.lastError
          ? {
              lastError: `${job.lastError.code}: ${job.lastError.message}`,
              lastErrorCode: job.lastError.code,
            }
          : {}),
      });
    }
  }
  const records = await history.records({ since });
  const figures = figuresOf(
    records,
    active.map((a) => a.lastErrorCode),
    since,
  );
  return { runs, active, figures };
}

export function formatStatus(report: StatusReport): string[] {
  const lines: string[] = [...formatFigures(report.figures), "Recent runs:"];
  if (report.runs.length === 0) lines.push("  (none yet: run `graph-mirror mirror --once`)");
  for (const run of report.runs) {
    lines.push(
      `  ${new Date(run.startedAt).toISOString()}  ${run.mirror.padEnd(20)} ${run.result.padEnd(9)} ` +
        `${run.listed} listed, ${run.unchanged} unchanged, ${run.jobsCreated} job(s), ${run.conflicts} conflict(s)` +
        `${run.errors.length > 0 ? `, ${run.errors.length} error(s): ${run.errors[0]}` : ""}`,
    );
  }
  lines.push("Active jobs:");
  if (report.active.length === 0) lines.push("  (none)");
  for (const job of report.active) {
    lines.push(`  ${job.mirror}: ${job.path} -> ${job.destination} (${job.status})`);
    lines.push(
      `    ${progressBar(job.bytesConfirmed, job.size)}${job.lastError ? `  last error: ${job.lastError}` : ""}`,
    );
  }
  return lines;
}
