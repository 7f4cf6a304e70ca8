/**
 * The settle phase of one destination's pass (runDestination.ts): files deleted at the source are deleted at
 * the destination (conditionally, when the plan holds an `If-Match`: destinationChange.ts), the manifest
 * forgets them unless the delete failed, and each outcome goes to the history.
 */

import { GraphFailure } from "../core/ports/graphFailure.js";
import type { HistoryOutcome } from "../core/ports/mirror.js";
import type { RecordTarget } from "./destinationHistory.js";
import type { DeletionReport, DestinationDeps } from "./destinationTypes.js";
import type { PlannedDeletion } from "./plan.js";

export async function carryOutDeletions(
  planned: readonly PlannedDeletion[],
  driveId: string,
  { mirror, key, label, runId }: RecordTarget,
  signal: AbortSignal,
  deps: DestinationDeps,
): Promise<DeletionReport[]> {
  const deletions: DeletionReport[] = [];
  for (const deletion of planned) {
    const outcome = await deleteOne(deps, driveId, deletion.manifest.itemId, deletion.ifMatch, signal);
    const path = deletion.manifest.path;
    deletions.push({ path, outcome: outcome.outcome, detail: outcome.detail ?? deletion.detail });
    if (outcome.outcome !== "delete-failed") await deps.manifest.remove(mirror, key, path);
    await deps.history.append({
      mirror,
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
  return deletions;
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
