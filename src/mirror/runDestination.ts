/**
 * One mirror pass for one destination: plan against the manifest, resolve the destination only when there is
 * something to do, create missing folders, create one job per new or changed file, carry out deletions, and
 * record conflicts and failures in the history. A failing destination never blocks another (issue 6).
 */

import type { UploadJob } from "../core/job/job.js";
import type { Clock } from "../core/ports/common.js";
import { GraphFailure } from "../core/ports/graphFailure.js";
import type {
  DriveDirectory,
  HistoryOutcome,
  HistoryStore,
  ManifestStore,
  PendingMirrorJob,
  SourceEntry,
} from "../core/ports/mirror.js";
import { pathProblems } from "../core/shared/names.js";
import { newJob } from "../core/upload/engine.js";
import type { MirrorDefinition, MirrorDestination } from "./definitionSchema.js";
import { destinationKey, destinationLabel } from "./destinationKey.js";
import type { FolderEnsurer } from "./folders.js";
import { type DestinationPlan, type PlannedUpload, planDestination, sameVersion } from "./plan.js";
import { DestinationError, type DestinationResolver, type ResolvedDestination } from "./resolver.js";

export interface DestinationDeps {
  readonly clock: Clock;
  readonly manifest: ManifestStore;
  readonly history: HistoryStore;
  readonly directory: DriveDirectory;
  readonly resolver: DestinationResolver;
  readonly folders: FolderEnsurer;
  readonly newId: () => string;
  readonly jobSettings: { readonly chunkSize: number; readonly simpleUploadMax: number };
}

export interface UploadReport {
  readonly path: string;
  readonly reason: PlannedUpload["reason"];
  readonly detail: string;
  readonly jobId?: string;
  /** Set when no job could be created for this file. */
  readonly error?: string;
}

export interface DestinationReport {
  readonly destination: string;
  readonly driveId?: string;
  /** Why the whole destination failed (resolution), if it did. */
  readonly error?: { readonly code: string; readonly message: string };
  readonly uploads: readonly UploadReport[];
  readonly deletions: readonly { readonly path: string; readonly outcome: string; readonly detail: string }[];
  readonly conflicts: readonly { readonly path: string; readonly detail: string }[];
  readonly unchanged: number;
  readonly inProgress: number;
  readonly errors: readonly string[];
}

export interface DestinationRun {
  readonly report: DestinationReport;
  readonly jobs: readonly UploadJob[];
  readonly pending: readonly PendingMirrorJob[];
}

export async function runDestination(
  mirror: MirrorDefinition,
  destination: MirrorDestination,
  entries: readonly SourceEntry[],
  pendingPaths: ReadonlySet<string>,
  context: { readonly runId: string; readonly dryRun: boolean; readonly signal: AbortSignal },
  deps: DestinationDeps,
): Promise<DestinationRun> {
  const key = destinationKey(destination);
  const label = destinationLabel(destination);
  const { signal, runId, dryRun } = context;
  const manifest = await deps.manifest.list(mirror.name, key);

  let resolved: Promise<ResolvedDestination> | undefined;
  const resolve = () => {
    resolved ??= deps.resolver.resolve(destination, signal);
    return resolved;
  };

  let plan: DestinationPlan;
  try {
    plan = await planDestination({
      entries,
      manifest,
      pendingPaths,
      policy: mirror.onDestinationChanged,
      conflictBehavior: mirror.conflictBehavior,
      propagateDeletes: mirror.propagateDeletes,
      remoteItem: async (path) => {
        const target = await resolve();
        return deps.directory.getItemByPath(target.driveId, `${target.folder}${path}`, signal);
      },
    });
  } catch (err: unknown) {
    // Planning reads the destination only for changed files; those are the ones this failure affects.
    const known = new Map(manifest.map((m) => [m.path, m.source]));
    const changed = entries.filter((e) => {
      const source = known.get(e.path);
      return !pendingPaths.has(e.path) && (!source || !sameVersion(source, e.fingerprint));
    });
    return failedDestination(
      err,
      label,
      changed.map((e) => e.path),
      context,
      deps,
      mirror.name,
    );
  }

  const base = {
    destination: label,
    conflicts: plan.conflicts.map(({ path, detail }) => ({ path, detail })),
    unchanged: plan.unchanged,
    inProgress: plan.inProgress,
    errors: plan.errors,
  };
  const nothingToDo = plan.uploads.length === 0 && plan.deletions.length === 0;
  if (dryRun || nothingToDo) {
    if (!dryRun) await recordConflicts(plan, mirror.name, label, runId, key, deps);
    return {
      report: {
        ...base,
        uploads: plan.uploads.map((u) => ({ path: u.entry.path, reason: u.reason, detail: u.detail })),
        deletions: plan.deletions.map((d) => ({
          path: d.manifest.path,
          outcome: "planned",
          detail: d.detail,
        })),
      },
      jobs: [],
      pending: [],
    };
  }

  let target: ResolvedDestination;
  try {
    target = await resolve();
  } catch (err: unknown) {
    const uploadPaths = plan.uploads.map((u) => u.entry.path);
    return failedDestination(err, label, uploadPaths, context, deps, mirror.name);
  }

  const jobs: UploadJob[] = [];
  const pending: PendingMirrorJob[] = [];
  const uploads: UploadReport[] = [];
  const now = deps.clock.now();
  for (const upload of plan.uploads) {
    const path = `${target.folder}${upload.entry.path}`;
    const report = { path: upload.entry.path, reason: upload.reason, detail: upload.detail };
    const problems = pathProblems(path, target.rootPath);
    const problem =
      problems.length > 0
        ? { code: "invalid-name", message: problems.join("; ") }
        : await ensureParent(deps.folders, target.driveId, path, signal);
    if (problem) {
      uploads.push({ ...report, error: problem.message });
      await appendFailure(deps.history, mirror.name, runId, upload.entry.path, label, problem, now);
      continue;
    }
    const jobId = deps.newId();
    jobs.push(
      newJob({
        jobId,
        requestId: runId,
        source: upload.entry.ref,
        destination: { type: "drive", driveId: target.driveId, path },
        conflictBehavior: upload.conflictBehavior,
        chunkSize: deps.jobSettings.chunkSize,
        simpleUploadMax: deps.jobSettings.simpleUploadMax,
        fingerprint: upload.entry.fingerprint,
        origin: { kind: "mirror", mirror: mirror.name, runId },
        now,
      }),
    );
    pending.push({
      jobId,
      runId,
      mirror: mirror.name,
      destination: key,
      destinationLabel: label,
      path: upload.entry.path,
      source: upload.entry.fingerprint,
      createdAt: now,
    });
    uploads.push({ ...report, jobId });
  }

  const deletions: { path: string; outcome: string; detail: string }[] = [];
  for (const deletion of plan.deletions) {
    const outcome = await deleteOne(deps, target.driveId, deletion.manifest.itemId, deletion.ifMatch, signal);
    const path = deletion.manifest.path;
    deletions.push({ path, outcome: outcome.outcome, detail: outcome.detail ?? deletion.detail });
    if (outcome.outcome !== "delete-failed") await deps.manifest.remove(mirror.name, key, path);
    await deps.history.append({
      mirror: mirror.name,
      runId,
      key: `delete:${key}:${path}:${deletion.manifest.source.version}`,
      path,
      destination: label,
      bytes: 0,
      durationMs: 0,
      outcome: outcome.outcome,
      ...(outcome.errorCode ? { errorCode: outcome.errorCode } : {}),
      ...(outcome.detail ? { errorMessage: outcome.detail } : {}),
      ...(outcome.requestId ? { requestId: outcome.requestId } : {}),
      finishedAt: deps.clock.now(),
    });
  }
  await recordConflicts(plan, mirror.name, label, runId, key, deps);
  return {
    report: { ...base, driveId: target.driveId, uploads, deletions },
    jobs,
    pending,
  };
}

async function ensureParent(
  folders: FolderEnsurer,
  driveId: string,
  path: string,
  signal: AbortSignal,
): Promise<{ code: string; message: string; requestId?: string } | undefined> {
  try {
    await folders.ensure(driveId, path.slice(0, path.lastIndexOf("/")), signal);
    return undefined;
  } catch (err: unknown) {
    if (err instanceof GraphFailure) {
      return {
        code: "folder-create-failed",
        message: `could not create the destination folder: ${err.message}`,
        ...(err.requestId ? { requestId: err.requestId } : {}),
      };
    }
    throw err;
  }
}

async function deleteOne(
  deps: DestinationDeps,
  driveId: string,
  itemId: string,
  ifMatch: string | undefined,
  signal: AbortSignal,
): Promise<{ outcome: HistoryOutcome; detail?: string; errorCode?: string; requestId?: string }> {
  try {
    await deps.directory.deleteItem(driveId, itemId, ifMatch, signal);
    return { outcome: "deleted" };
  } catch (err: unknown) {
    if (!(err instanceof GraphFailure)) throw err;
    if (err.status === 404) return { outcome: "deleted", detail: "already gone at the destination" };
    const requestId = err.requestId ? { requestId: err.requestId } : {};
    if (err.status === 412) {
      return {
        outcome: "conflict-skipped",
        detail: "changed by someone else at the destination just before deletion: kept",
        errorCode: "destination-changed",
        ...requestId,
      };
    }
    return {
      outcome: "delete-failed",
      detail: err.message,
      errorCode: err.graphCode ?? "graph-error",
      ...requestId,
    };
  }
}

async function recordConflicts(
  plan: DestinationPlan,
  mirror: string,
  label: string,
  runId: string,
  key: string,
  deps: DestinationDeps,
): Promise<void> {
  const now = deps.clock.now();
  for (const conflict of plan.conflicts) {
    if (conflict.forget) await deps.manifest.remove(mirror, key, conflict.path);
    await deps.history.append({
      mirror,
      runId,
      key: `conflict:${key}:${conflict.path}`,
      path: conflict.path,
      destination: label,
      bytes: 0,
      durationMs: 0,
      outcome: "conflict-skipped",
      errorCode: "destination-changed",
      errorMessage: conflict.detail,
      finishedAt: now,
    });
  }
  for (const path of plan.forget) await deps.manifest.remove(mirror, key, path);
}

async function failedDestination(
  err: unknown,
  label: string,
  paths: readonly string[],
  context: { readonly runId: string; readonly dryRun: boolean },
  deps: DestinationDeps,
  mirror: string,
): Promise<DestinationRun> {
  const error =
    err instanceof DestinationError
      ? { code: err.code, message: err.message, ...(err.requestId ? { requestId: err.requestId } : {}) }
      : err instanceof GraphFailure
        ? {
            code: err.graphCode ?? "graph-error",
            message: err.message,
            ...(err.requestId ? { requestId: err.requestId } : {}),
          }
        : undefined;
  if (!error) throw err;
  // Each file that needed this destination gets a failed history record, so operators see what was missed;
  // the manifest is untouched, so the next pass tries them again.
  if (!context.dryRun) {
    const now = deps.clock.now();
    for (const path of paths)
      await appendFailure(deps.history, mirror, context.runId, path, label, error, now);
  }
  return {
    report: {
      destination: label,
      error: { code: error.code, message: error.message },
      uploads: [],
      deletions: [],
      conflicts: [],
      unchanged: 0,
      inProgress: 0,
      errors: [error.message],
    },
    jobs: [],
    pending: [],
  };
}

async function appendFailure(
  history: HistoryStore,
  mirror: string,
  runId: string,
  path: string,
  destination: string,
  error: { code: string; message: string; requestId?: string },
  now: number,
): Promise<void> {
  await history.append({
    mirror,
    runId,
    key: `failed:${runId}:${destination}:${path}`,
    path,
    destination,
    bytes: 0,
    durationMs: 0,
    outcome: "failed",
    errorCode: error.code,
    errorMessage: error.message,
    ...(error.requestId ? { requestId: error.requestId } : {}),
    finishedAt: now,
  });
}
