/**
 * The shapes one destination's mirror pass takes and returns (runDestination.ts), in their own module so the
 * pass's phases (destinationJobs.ts, destinationDeletions.ts, destinationHistory.ts) can share them without an
 * import cycle (.dependency-cruiser.cjs "no-circular").
 */

import type { UploadJob } from "../core/job/job.js";
import type { Clock } from "../core/ports/common.js";
import type { DriveDirectory, HistoryStore, ManifestStore, PendingMirrorJob } from "../core/ports/mirror.js";
import type { FolderEnsurer } from "./folders.js";
import type { PlannedUpload } from "./plan.js";
import type { DestinationResolver } from "./resolver.js";

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

/** Which pass this is, and whether it only reports (`--dry-run`). */
export interface DestinationContext {
  readonly runId: string;
  readonly dryRun: boolean;
  readonly signal: AbortSignal;
}

export interface UploadReport {
  readonly path: string;
  readonly reason: PlannedUpload["reason"];
  readonly detail: string;
  readonly jobId?: string;
  /** Set when no job could be created for this file. */
  readonly error?: string;
}

export interface DeletionReport {
  readonly path: string;
  readonly outcome: string;
  readonly detail: string;
}

export interface DestinationReport {
  readonly destination: string;
  readonly driveId?: string;
  /** Why the whole destination failed (resolution), if it did. */
  readonly error?: { readonly code: string; readonly message: string };
  readonly uploads: readonly UploadReport[];
  readonly deletions: readonly DeletionReport[];
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

/** The failure recorded for a file that got no job: a code, words, and Graph's request id when there is one. */
export interface FileFailure {
  readonly code: string;
  readonly message: string;
  readonly requestId?: string;
}
