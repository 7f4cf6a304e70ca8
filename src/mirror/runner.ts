/**
 * A mirror pass (issue 6): for every valid, enabled mirror definition, settle the jobs of earlier passes, list
 * the source once, run each destination on its own (runDestination.ts), submit the new jobs, and write one run
 * record and one log event. Invalid definitions are reported and skipped; they never stop the valid ones.
 *
 * Crash safety: a job is tracked in the manifest store before it is submitted. A crash in between leaves a
 * pending row without a job, which the next pass finds ("gone") and drops, so the file is planned again.
 */
import { randomBytes } from "node:crypto";
import { isTerminal, type UploadJob } from "../core/job/job.js";
import type { PendingMirrorJob, RunRecord, SourceEntry, SourceLister } from "../core/ports/mirror.js";
import { forEachLimit } from "../core/shared/forEachLimit.js";
import { redactSecrets } from "../core/shared/redact.js";
import type { MirrorDefinition } from "./definitionSchema.js";
import type { InvalidMirror, MirrorDefinitions } from "./definitions.js";
import { destinationKey } from "./destinationKey.js";
import { FolderEnsurer } from "./folders.js";
import { recordMirrorJobEnd } from "./jobEnd.js";
import type { MirrorLogger } from "./mirrorLog.js";
import { type DestinationDeps, type DestinationReport, runDestination } from "./runDestination.js";
import { applyShareRules, type ShareOutcome } from "./shareRules.js";

export type PendingState =
  | { readonly state: "active" }
  | { readonly state: "finished"; readonly job: UploadJob }
  | { readonly state: "gone" };

/** Where jobs go: the queue pipeline (function app) or the CLI's in-process runner. */
export interface MirrorJobSink {
  submit(runId: string, jobs: readonly UploadJob[]): Promise<void>;
  /** What became of a job an earlier pass created. */
  check(pending: PendingMirrorJob): Promise<PendingState>;
}

export interface MirrorPassDeps extends Omit<DestinationDeps, "folders"> {
  readonly listerFor: (mirror: MirrorDefinition) => SourceLister;
  readonly jobs: MirrorJobSink;
  readonly log: MirrorLogger;
}

export interface MirrorPassOptions {
  /** Plan and report only: no folders, jobs, deletions, manifest or history writes. */
  readonly dryRun?: boolean;
  /** Only these mirrors (by name); all when absent. */
  readonly only?: readonly string[];
  readonly signal?: AbortSignal;
}

export interface MirrorRunReport {
  readonly mirror: string;
  readonly runId: string;
  readonly run: RunRecord;
  readonly source: string;
  readonly destinations: readonly DestinationReport[];
  readonly jobs: readonly UploadJob[];
  /** The destinations' `share` rules, applied after a successful pass (shareRules.ts). */
  readonly shares?: readonly ShareOutcome[];
}

export interface PassReport {
  readonly runs: readonly MirrorRunReport[];
  readonly invalid: readonly InvalidMirror[];
}

export async function runMirrorPass(
  definitions: MirrorDefinitions,
  deps: MirrorPassDeps,
  options: MirrorPassOptions = {},
): Promise<PassReport> {
  const signal = options.signal ?? new AbortController().signal;
  const dryRun = options.dryRun ?? false;
  const wanted = (name: string) => !options.only || options.only.includes(name);
  const invalid = definitions.invalid.filter((m) => wanted(m.mirror));
  for (const bad of invalid) {
    const problems = bad.error.problems.map((p) => `${p.field}: ${p.rule}`);
    deps.log({ event: "mirror-invalid", mirror: bad.mirror, problems });
    if (!dryRun) {
      const now = deps.clock.now();
      await deps.history.recordRun({
        ...emptyRun(bad.mirror, `invalid-${now}`, now),
        result: "invalid",
        errors: [bad.error.message],
      });
    }
  }
  const runs: MirrorRunReport[] = [];
  for (const mirror of definitions.valid) {
    if (!mirror.enabled || !wanted(mirror.name)) continue;
    signal.throwIfAborted();
    runs.push(await runMirror(mirror, deps, dryRun, signal));
  }
  return { runs, invalid };
}

async function runMirror(
  mirror: MirrorDefinition,
  deps: MirrorPassDeps,
  dryRun: boolean,
  signal: AbortSignal,
): Promise<MirrorRunReport> {
  const startedAt = deps.clock.now();
  const runId = newRunId(mirror.name, startedAt);
  const lister = deps.listerFor(mirror);
  const pendingPaths = await settlePending(mirror.name, deps, dryRun);

  let entries: readonly SourceEntry[] = [];
  let listingErrors: readonly string[] = [];
  try {
    const listing = await lister.list(signal);
    entries = listing.entries;
    listingErrors = listing.errors;
  } catch (err: unknown) {
    if (signal.aborted) throw err;
    const message = `could not list ${lister.description}: ${err instanceof Error ? err.message : String(err)}`;
    return finish(mirror, deps, dryRun, runId, startedAt, lister.description, [message], [], [], {
      result: "failed",
      listed: 0,
    });
  }

  const folders = new FolderEnsurer(deps.directory);
  const reports: DestinationReport[] = [];
  const jobs: UploadJob[] = [];
  const pending: PendingMirrorJob[] = [];
  for (const destination of mirror.destinations) {
    const key = destinationKey(destination);
    const paths = new Set([...pendingPaths].filter((p) => p.startsWith(`${key}\u0000`)).map(stripKey));
    const run = await runDestination(
      mirror,
      destination,
      entries,
      paths,
      { runId, dryRun, signal },
      { ...deps, folders },
    );
    reports.push(run.report);
    jobs.push(...run.jobs);
    pending.push(...run.pending);
  }

  const errors = [...listingErrors, ...reports.flatMap((r) => r.errors.map((e) => `${r.destination}: ${e}`))];
  if (jobs.length > 0) {
    try {
      // Tracked first: a crash before submit leaves rows the next pass recognises as gone.
      await forEachLimit(pending, 16, (p) => deps.manifest.trackJob(p));
      await deps.jobs.submit(runId, jobs);
    } catch (err: unknown) {
      await forEachLimit(pending, 16, (p) => deps.manifest.untrackJob(p.jobId));
      errors.push(`could not submit jobs: ${err instanceof Error ? err.message : String(err)}`);
      return finish(mirror, deps, dryRun, runId, startedAt, lister.description, errors, reports, [], {
        result: "failed",
        listed: entries.length,
      });
    }
  }
  // Shares only after a pass that went through: a failed destination may not be where its rules point yet.
  const shares =
    dryRun || errors.length > 0
      ? []
      : await applyShareRules(mirror, reports, {
          sharing: deps.directory.sharing,
          resolve: (destination) => deps.resolver.resolve(destination, signal),
          signal,
        });
  for (const share of shares)
    if (share.outcome === "failed")
      errors.push(`${share.destination}: share ${share.role} with ${share.to}: ${share.error}`);
  return finish(mirror, deps, dryRun, runId, startedAt, lister.description, errors, reports, jobs, {
    result: errors.length > 0 ? "partial" : conflictCount(reports) > 0 ? "conflicts" : "ok",
    listed: entries.length,
    shares,
  });
}

/**
 * Records the ends of jobs from earlier passes that the pipeline has not reported (a missed hook, a crash), drops
 * pending rows whose job never got submitted, and returns `destinationKey \0 path` of the ones still running.
 */
async function settlePending(mirror: string, deps: MirrorPassDeps, dryRun: boolean): Promise<Set<string>> {
  const active = new Set<string>();
  for (const pending of await deps.manifest.listPending(mirror)) {
    const state = await deps.jobs.check(pending);
    if (state.state === "active") {
      active.add(`${pending.destination}\u0000${pending.path}`);
    } else if (!dryRun && state.state === "finished" && isTerminal(state.job.status)) {
      await recordMirrorJobEnd(state.job, deps);
    } else if (!dryRun && state.state === "gone") {
      await deps.manifest.untrackJob(pending.jobId);
    }
  }
  return active;
}

async function finish(
  mirror: MirrorDefinition,
  deps: MirrorPassDeps,
  dryRun: boolean,
  runId: string,
  startedAt: number,
  source: string,
  errors: readonly string[],
  destinations: readonly DestinationReport[],
  jobs: readonly UploadJob[],
  summary: { result: RunRecord["result"]; listed: number; shares?: readonly ShareOutcome[] },
): Promise<MirrorRunReport> {
  const finishedAt = deps.clock.now();
  const sum = (pick: (r: DestinationReport) => number) => destinations.reduce((n, r) => n + pick(r), 0);
  const run: RunRecord = {
    ...emptyRun(mirror.name, runId, startedAt),
    finishedAt,
    result: summary.result,
    listed: summary.listed,
    unchanged: sum((r) => r.unchanged),
    jobsCreated: jobs.length,
    inProgress: sum((r) => r.inProgress),
    conflicts: conflictCount(destinations),
    deletions: sum((r) => r.deletions.filter((d) => d.outcome === "deleted").length),
    ...shareCounts(summary.shares ?? []),
    // Errors reach the history, the log and GET /api/mirrors; a lister's or SDK's message may hold a URL.
    errors: errors.map(redactSecrets),
  };
  if (!dryRun) await deps.history.recordRun(run);
  const { mirror: name, result, listed, unchanged, jobsCreated, inProgress, conflicts, deletions } = run;
  deps.log({
    event: "mirror-run",
    mirror: name,
    runId,
    result,
    listed,
    unchanged,
    jobsCreated,
    inProgress,
    conflicts,
    deletions,
    errors: run.errors,
    durationMs: finishedAt - startedAt,
    dryRun,
  });
  return { mirror: mirror.name, runId, run, source, destinations, jobs, shares: summary.shares ?? [] };
}

/** Counts for the run record; none when the mirror has no share rules (records stay as they were). */
function shareCounts(shares: readonly ShareOutcome[]): Pick<RunRecord, "sharesGranted" | "sharesExisting"> {
  if (shares.length === 0) return {};
  return {
    sharesGranted: shares.filter((s) => s.outcome === "granted").length,
    sharesExisting: shares.filter((s) => s.outcome === "already-granted").length,
  };
}

/**
 * Files left alone because someone else changed them at the destination: skipped uploads and kept deletions
 * found while planning, and deletions refused with 412 (changed between planning and the delete).
 */
function conflictCount(destinations: readonly DestinationReport[]): number {
  return destinations.reduce(
    (n, r) => n + r.conflicts.length + r.deletions.filter((d) => d.outcome === "conflict-skipped").length,
    0,
  );
}

function emptyRun(mirror: string, runId: string, now: number): RunRecord {
  return {
    mirror,
    runId,
    startedAt: now,
    finishedAt: now,
    result: "ok",
    listed: 0,
    unchanged: 0,
    jobsCreated: 0,
    inProgress: 0,
    conflicts: 0,
    deletions: 0,
    errors: [],
  };
}

/** Table-key safe (mirror names are [A-Za-z0-9._-]) and sortable by time. */
export function newRunId(mirror: string, now: number): string {
  const stamp = new Date(now).toISOString().replace(/[-:.]/g, "");
  return `mirror-${mirror}-${stamp}-${randomBytes(3).toString("hex")}`;
}

function stripKey(keyed: string): string {
  return keyed.slice(keyed.indexOf("\u0000") + 1);
}
