/**
 * The record phase of one destination's pass (runDestination.ts): conflicts, and files that got no job, go to
 * the history so operators see what was skipped or missed; the manifest is changed only where the plan says to
 * forget an entry (docs/design.md).
 */

import { GraphFailure } from "../core/ports/graphFailure.js";
import type { HistoryStore } from "../core/ports/mirror.js";
import type { DestinationDeps, DestinationRun, FileFailure } from "./destinationTypes.js";
import type { DestinationPlan } from "./plan.js";
import { DestinationError } from "./resolver.js";

/** Where in the history and the manifest a destination's records go. */
export interface RecordTarget {
  readonly mirror: string;
  /** The destination's manifest key (destinationKey.ts). */
  readonly key: string;
  /** The destination's name in reports and history (destinationLabel). */
  readonly label: string;
  readonly runId: string;
}

export async function recordConflicts(
  plan: DestinationPlan,
  { mirror, key, label, runId }: RecordTarget,
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

/**
 * The whole destination failed (it could not be resolved or read). Errors other than the resolver's and
 * Graph's are not this destination's to absorb: they are thrown on.
 */
export async function failedDestination(
  err: unknown,
  label: string,
  paths: readonly string[],
  context: { readonly runId: string; readonly dryRun: boolean },
  deps: DestinationDeps,
  mirror: string,
): Promise<DestinationRun> {
  const error = destinationFailure(err);
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

function destinationFailure(err: unknown): FileFailure | undefined {
  if (err instanceof DestinationError)
    return { code: err.code, message: err.message, ...(err.requestId ? { requestId: err.requestId } : {}) };
  if (err instanceof GraphFailure)
    return {
      code: err.graphCode ?? "graph-error",
      message: err.message,
      ...(err.requestId ? { requestId: err.requestId } : {}),
    };
  return undefined;
}

export async function appendFailure(
  history: HistoryStore,
  mirror: string,
  runId: string,
  path: string,
  destination: string,
  error: FileFailure,
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
