/**
 * One mirror pass for one destination: plan against the manifest, resolve the destination only when there is
 * something to do, create missing folders, create one job per new or changed file, carry out deletions, and
 * record conflicts and failures in the history. A failing destination never blocks another (issue 6).
 *
 * The phases live in their own modules, in the order the pass runs them: plan.ts (what to do),
 * destinationJobs.ts (one job per upload), destinationDeletions.ts (deletions), destinationHistory.ts (what
 * the history records); this file only sequences them.
 */

import type { ManifestEntry, SourceEntry } from "../core/ports/mirror.js";
import type { MirrorDefinition, MirrorDestination } from "./definitionSchema.js";
import { carryOutDeletions } from "./destinationDeletions.js";
import { failedDestination, type RecordTarget, recordConflicts } from "./destinationHistory.js";
import { createJobs } from "./destinationJobs.js";
import { destinationKey, destinationLabel } from "./destinationKey.js";
import type { DestinationContext, DestinationDeps, DestinationRun } from "./destinationTypes.js";
import { type DestinationPlan, planDestination, sameVersion } from "./plan.js";
import type { ResolvedDestination } from "./resolver.js";

export type {
  DeletionReport,
  DestinationContext,
  DestinationDeps,
  DestinationReport,
  DestinationRun,
  UploadReport,
} from "./destinationTypes.js";

export async function runDestination(
  mirror: MirrorDefinition,
  destination: MirrorDestination,
  entries: readonly SourceEntry[],
  pendingPaths: ReadonlySet<string>,
  context: DestinationContext,
  deps: DestinationDeps,
): Promise<DestinationRun> {
  const { signal, runId, dryRun } = context;
  const at: RecordTarget = {
    mirror: mirror.name,
    key: destinationKey(destination),
    label: destinationLabel(destination),
    runId,
  };
  const manifest = await deps.manifest.list(mirror.name, at.key);

  // Resolved at most once, and only when planning or uploading needs the destination.
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
    const changed = changedPaths(entries, manifest, pendingPaths);
    return failedDestination(err, at.label, changed, context, deps, mirror.name);
  }

  const nothingToDo = plan.uploads.length === 0 && plan.deletions.length === 0;
  if (dryRun || nothingToDo) {
    if (!dryRun) await recordConflicts(plan, at, deps);
    return { report: plannedReport(at.label, plan), jobs: [], pending: [] };
  }

  let target: ResolvedDestination;
  try {
    target = await resolve();
  } catch (err: unknown) {
    const uploadPaths = plan.uploads.map((u) => u.entry.path);
    return failedDestination(err, at.label, uploadPaths, context, deps, mirror.name);
  }

  const { jobs, pending, uploads } = await createJobs(plan.uploads, target, at, signal, deps);
  const deletions = await carryOutDeletions(plan.deletions, target.driveId, at, signal, deps);
  await recordConflicts(plan, at, deps);
  return {
    report: { ...reportBase(at.label, plan), driveId: target.driveId, uploads, deletions },
    jobs,
    pending,
  };
}

/** The source files neither unchanged since the manifest's version nor already in progress. */
function changedPaths(
  entries: readonly SourceEntry[],
  manifest: readonly ManifestEntry[],
  pendingPaths: ReadonlySet<string>,
): string[] {
  const known = new Map(manifest.map((m) => [m.path, m.source]));
  return entries
    .filter((e) => {
      const source = known.get(e.path);
      return !pendingPaths.has(e.path) && (!source || !sameVersion(source, e.fingerprint));
    })
    .map((e) => e.path);
}

function reportBase(label: string, plan: DestinationPlan) {
  return {
    destination: label,
    conflicts: plan.conflicts.map(({ path, detail }) => ({ path, detail })),
    unchanged: plan.unchanged,
    inProgress: plan.inProgress,
    errors: plan.errors,
  };
}

/** A dry run's report, or a pass with nothing to upload or delete: what would be done, nothing done. */
function plannedReport(label: string, plan: DestinationPlan): DestinationRun["report"] {
  return {
    ...reportBase(label, plan),
    uploads: plan.uploads.map((u) => ({ path: u.entry.path, reason: u.reason, detail: u.detail })),
    deletions: plan.deletions.map((d) => ({ path: d.manifest.path, outcome: "planned", detail: d.detail })),
  };
}
