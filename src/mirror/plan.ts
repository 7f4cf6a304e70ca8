/**
 * Change detection for one mirror and one destination (issue 6): compares the listed source files with the
 * manifest of what we uploaded, and decides per file: unchanged (nothing, no Graph call), new or changed (one
 * upload), in progress (an earlier job is still running), or a conflict with someone else's change at the
 * destination (judged on content, never on the eTag: destinationChange.ts), settled by the mirror's
 * `onDestinationChanged` policy. Files gone from the source are deleted at the destination only when
 * `propagateDeletes` is on.
 *
 * Graph is read only for files about to be uploaded or deleted whose destination copy may have been changed
 * by someone else, so a pass over unchanged files makes no Graph calls at all (docs/design.md performance target).
 */
import type { ConflictBehavior } from "../core/job/job.js";
import type { SourceFingerprint } from "../core/ports/common.js";
import type { ManifestEntry, RemoteItem, SourceEntry } from "../core/ports/mirror.js";
import type { DestinationChangedPolicy } from "./definitionSchema.js";
import { changeByOthers, deletionPrecondition } from "./destinationChange.js";

export type UploadReason = "new" | "changed" | "destination-changed";

export interface PlannedUpload {
  readonly entry: SourceEntry;
  readonly reason: UploadReason;
  /** Why, in words, for `--dry-run` and logs. */
  readonly detail: string;
  readonly conflictBehavior: ConflictBehavior;
}

export interface PlannedDeletion {
  readonly manifest: ManifestEntry;
  /** `If-Match` of the conditional delete (a cTag when known: destinationChange.ts); absent under `overwrite`. */
  readonly ifMatch?: string;
  readonly detail: string;
}

export interface SkippedConflict {
  readonly path: string;
  readonly detail: string;
  /** Whether the manifest entry should be dropped (a deletion we will not make). */
  readonly forget: boolean;
}

export interface DestinationPlan {
  readonly uploads: readonly PlannedUpload[];
  readonly deletions: readonly PlannedDeletion[];
  readonly conflicts: readonly SkippedConflict[];
  /** Manifest entries whose destination item is already gone: drop them without a Graph call. */
  readonly forget: readonly string[];
  readonly unchanged: number;
  readonly inProgress: number;
  readonly errors: readonly string[];
}

export interface PlanInput {
  readonly entries: readonly SourceEntry[];
  readonly manifest: readonly ManifestEntry[];
  /** Paths with a job still running for this destination. */
  readonly pendingPaths: ReadonlySet<string>;
  readonly policy: DestinationChangedPolicy;
  readonly conflictBehavior: ConflictBehavior;
  readonly propagateDeletes: boolean;
  /** The destination item for a source path; only called when the answer matters. */
  readonly remoteItem: (path: string) => Promise<RemoteItem | undefined>;
}

/** The plan as it is built: each phase below adds to it. */
interface PlanDraft {
  readonly uploads: PlannedUpload[];
  readonly deletions: PlannedDeletion[];
  readonly conflicts: SkippedConflict[];
  readonly forget: string[];
  readonly errors: string[];
  unchanged: number;
  inProgress: number;
}

export async function planDestination(input: PlanInput): Promise<DestinationPlan> {
  const draft: PlanDraft = {
    uploads: [],
    deletions: [],
    conflicts: [],
    forget: [],
    errors: [],
    unchanged: 0,
    inProgress: 0,
  };
  // Source files, then deletions; both read the destination one file at a time, only when the answer matters.
  await planSourceFiles(input, draft);
  await planDeletions(input, draft);
  const { uploads, deletions, conflicts, forget, unchanged, inProgress, errors } = draft;
  return { uploads, deletions, conflicts, forget, unchanged, inProgress, errors };
}

/** Each listed source file: a name clash, in progress, new, unchanged, or changed (planChanged). */
async function planSourceFiles(input: PlanInput, draft: PlanDraft): Promise<void> {
  const manifest = new Map(input.manifest.map((m) => [m.path, m]));
  const seenNames = new Map<string, string>();
  for (const entry of input.entries) {
    // Two source names differing only in case are one file at the destination (docs/graph-protocol.md "Names").
    const folded = entry.path.toLowerCase();
    const clash = seenNames.get(folded);
    if (clash !== undefined) {
      draft.errors.push(
        `${entry.path}: same name as ${clash} at the destination (names are case-insensitive)`,
      );
      continue;
    }
    seenNames.set(folded, entry.path);
    if (input.pendingPaths.has(entry.path)) {
      draft.inProgress++;
      continue;
    }
    const known = manifest.get(entry.path);
    if (!known) {
      draft.uploads.push({
        entry,
        reason: "new",
        detail: "new file (not uploaded before)",
        conflictBehavior: input.conflictBehavior,
      });
    } else if (sameVersion(known.source, entry.fingerprint)) {
      draft.unchanged++;
    } else {
      const planned = await planChanged(entry, known, input);
      if ("entry" in planned) draft.uploads.push(planned);
      else draft.conflicts.push(planned);
    }
  }
}

/** A file changed at the source since our last upload: replace it, unless someone else changed it since. */
async function planChanged(
  entry: SourceEntry,
  known: ManifestEntry,
  input: PlanInput,
): Promise<PlannedUpload | SkippedConflict> {
  const change = describeChange(known.source, entry.fingerprint);
  // We uploaded this file before, so replacing it is the point, unless someone else changed it since.
  if (input.policy === "overwrite") {
    return { entry, reason: "changed", detail: change, conflictBehavior: "replace" };
  }
  const remote = await input.remoteItem(entry.path);
  const theirs = remote ? changeByOthers(known, remote) : undefined;
  if (theirs === undefined) {
    return { entry, reason: "changed", detail: change, conflictBehavior: "replace" };
  }
  if (input.policy === "keep-both") {
    return {
      entry,
      reason: "destination-changed",
      detail: `${change}; the destination copy was changed by someone else since our last upload (${theirs}), so ours is uploaded beside it under a new name (onDestinationChanged: keep-both)`,
      conflictBehavior: "rename",
    };
  }
  return {
    path: entry.path,
    detail: `${change}, but the destination copy was changed by someone else since our last upload (${theirs}): not uploaded (onDestinationChanged: skip-and-report)`,
    forget: false,
  };
}

/** Manifest entries gone from the source: deleted at the destination only under `propagateDeletes`. */
async function planDeletions(input: PlanInput, draft: PlanDraft): Promise<void> {
  const listed = new Set(input.entries.map((e) => e.path));
  for (const known of input.manifest) {
    if (listed.has(known.path) || input.pendingPaths.has(known.path) || !input.propagateDeletes) continue;
    if (input.policy === "overwrite") {
      draft.deletions.push({ manifest: known, detail: "deleted at the source (propagateDeletes: true)" });
      continue;
    }
    const remote = await input.remoteItem(known.path);
    const theirs = remote ? changeByOthers(known, remote) : undefined;
    if (!remote) {
      draft.forget.push(known.path);
    } else if (theirs !== undefined) {
      draft.conflicts.push({
        path: known.path,
        detail: `deleted at the source, but the destination copy was changed by someone else since our last upload (${theirs}): kept (onDestinationChanged: ${input.policy})`,
        forget: true,
      });
    } else {
      const ifMatch = deletionPrecondition(known, remote);
      draft.deletions.push({
        manifest: known,
        ...(ifMatch ? { ifMatch } : {}),
        detail: "deleted at the source (propagateDeletes: true)",
      });
    }
  }
}

export function sameVersion(a: SourceFingerprint, b: SourceFingerprint): boolean {
  return a.size === b.size && a.version === b.version;
}

function describeChange(before: SourceFingerprint, after: SourceFingerprint): string {
  if (before.size !== after.size) return `changed (size ${before.size} -> ${after.size} bytes)`;
  return "changed (same size, new version)";
}
