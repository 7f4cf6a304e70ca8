/**
 * Ports of the hourly mirroring (issue 6): the manifest of what we uploaded, the history of finished jobs and
 * mirror runs, source listing, and the few Graph drive reads and writes that planning needs. Adapters live in
 * src/store (Table Storage and in-memory twins) and src/mirror (Graph, file system, Blob).
 */

import type { Destination, SourceRef } from "../job/job.js";
import type { SourceFingerprint } from "./common.js";
import type { ResolvedDrive } from "./graph.js";

/** One file of a mirror's source, as listed. `path` is relative to the source root, `/`-separated, no leading `/`. */
export interface SourceEntry {
  readonly path: string;
  readonly ref: SourceRef;
  readonly fingerprint: SourceFingerprint;
}

/** A listing; `errors` name files that could not be listed (the others are still mirrored). */
export interface SourceListing {
  readonly entries: readonly SourceEntry[];
  readonly errors: readonly string[];
}

export interface SourceLister {
  /** Secret-free description of the source (a directory, `blob:container/prefix`, a URL count). */
  readonly description: string;
  list(signal: AbortSignal): Promise<SourceListing>;
}

/** What we know about one file we uploaded to one destination (per mirror, destination and path). */
export interface ManifestEntry {
  readonly mirror: string;
  /** The destination's stable key (see src/mirror/destinationKey.ts). */
  readonly destination: string;
  readonly path: string;
  /** The source version that was uploaded. */
  readonly source: SourceFingerprint;
  readonly driveId: string;
  readonly itemId: string;
  /** Kept for diagnostics only: the service changes it on its own, so it never decides a conflict (plan.ts). */
  readonly eTag?: string;
  /**
   * The content tag of what the service stored for our upload. Absent in manifests written before it was
   * recorded; see src/mirror/destinationChange.ts for how those are compared.
   */
  readonly cTag?: string;
  /** What the service stored (for Office files it can differ from what we sent), when it reported it. */
  readonly quickXorHash?: string;
  /** The stored size (the driveItem's, not the source's). */
  readonly size: number;
  readonly uploadedAt: number;
}

/** A job the mirror created and whose end it has not recorded yet. */
export interface PendingMirrorJob {
  readonly jobId: string;
  readonly runId: string;
  readonly mirror: string;
  readonly destination: string;
  /** Human-readable destination, for history (see HistoryRecord.destination). */
  readonly destinationLabel: string;
  readonly path: string;
  readonly source: SourceFingerprint;
  readonly createdAt: number;
}

export interface ManifestStore {
  list(mirror: string, destination: string): Promise<ManifestEntry[]>;
  put(entry: ManifestEntry): Promise<void>;
  remove(mirror: string, destination: string, path: string): Promise<void>;
  /** Written before the job is submitted, so a crash in between is found and cleaned by the next pass. */
  trackJob(pending: PendingMirrorJob): Promise<void>;
  findJob(jobId: string): Promise<PendingMirrorJob | undefined>;
  untrackJob(jobId: string): Promise<void>;
  listPending(mirror: string): Promise<PendingMirrorJob[]>;
}

export const HISTORY_OUTCOMES = [
  "completed",
  "failed",
  "cancelled",
  "deleted",
  "delete-failed",
  "conflict-skipped",
] as const;
export type HistoryOutcome = (typeof HISTORY_OUTCOMES)[number];

/** One finished job (or deletion, or skipped conflict) of a mirror. Never contains a secret. */
export interface HistoryRecord {
  readonly mirror: string;
  readonly runId: string;
  /** The job id, or a deterministic key for deletions and skipped conflicts. Makes appends idempotent. */
  readonly key: string;
  readonly path: string;
  /** Human-readable destination (site URL + library + folder, `onedrive:user/folder`, `drive:id/folder`). */
  readonly destination: string;
  readonly bytes: number;
  readonly durationMs: number;
  readonly outcome: HistoryOutcome;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  /** Graph's request-id of the failing call, for support cases. */
  readonly requestId?: string;
  /** Who asked (HTTP API jobs under API_AUTH=entra): `oid:…` or `appid:…`, never a token. */
  readonly requestedBy?: string;
  readonly finishedAt: number;
}

/**
 * How a mirror pass went, worst first in this order: `invalid` (definition rejected), `failed` (nothing could be
 * planned), `partial` (some destinations or files failed), `conflicts` (everything planned, but files changed by
 * someone else at the destination were skipped or kept: an operator has to decide), `ok`.
 */
export const RUN_RESULTS = ["ok", "conflicts", "partial", "failed", "invalid"] as const;
export type RunResult = (typeof RUN_RESULTS)[number];

/** One mirror pass over one mirror definition. Uploads finish later; their outcomes are history records. */
export interface RunRecord {
  readonly mirror: string;
  readonly runId: string;
  readonly startedAt: number;
  readonly finishedAt: number;
  /** See RUN_RESULTS. */
  readonly result: RunResult;
  readonly listed: number;
  readonly unchanged: number;
  readonly jobsCreated: number;
  readonly inProgress: number;
  /**
   * Files left alone because someone else changed them at the destination (skip-and-report uploads, deletions
   * kept); each has a `conflict-skipped` history record. Repeats every pass until someone resolves it.
   */
  readonly conflicts: number;
  readonly deletions: number;
  /** Share rules applied this pass (src/mirror/shareRules.ts); absent in records older than share rules. */
  readonly sharesGranted?: number;
  /** Share rules whose grant already existed (skipped). */
  readonly sharesExisting?: number;
  readonly errors: readonly string[];
}

export interface RunQuery {
  readonly mirror?: string;
  readonly limit: number;
}

export interface HistoryQuery {
  readonly mirror?: string;
  readonly runId?: string;
  /** Records finished at or after this time (ms since epoch). */
  readonly since?: number;
  readonly limit?: number;
}

export interface HistoryStore {
  /** Idempotent per (mirror, key, finishedAt): recording the same job end twice keeps one record. */
  append(record: HistoryRecord): Promise<void>;
  recordRun(run: RunRecord): Promise<void>;
  /** Newest first. */
  recentRuns(options: RunQuery): Promise<RunRecord[]>;
  /** Newest first. */
  records(options: HistoryQuery): Promise<HistoryRecord[]>;
}

/** The order every HistoryStore answers in: newest run first (by start), at most `limit`. */
export function newestRunsFirst(runs: readonly RunRecord[], limit: number): RunRecord[] {
  return [...runs].sort((a, b) => b.startedAt - a.startedAt).slice(0, limit);
}

/** The order every HistoryStore answers in: newest record first (by finish), at most `limit` when given. */
export function newestRecordsFirst(records: readonly HistoryRecord[], limit?: number): HistoryRecord[] {
  return [...records].sort((a, b) => b.finishedAt - a.finishedAt).slice(0, limit ?? Number.POSITIVE_INFINITY);
}

/** A drive item as far as mirroring cares. */
export interface RemoteItem {
  readonly id: string;
  readonly name: string;
  readonly eTag?: string;
  readonly cTag?: string;
  readonly quickXorHash?: string;
  readonly size?: number;
  readonly webUrl?: string;
  readonly isFolder: boolean;
}

/**
 * The Graph drive calls that mirroring needs beyond uploads (docs/graph-protocol.md "Addressing"). Errors are thrown as
 * GraphFailure (src/core/ports/graphFailure.ts) carrying status, Graph codes and request-id.
 */
/** A user's direct permission on a folder (src/permissions/sharingEntry.ts), for the mirror's `share` rules. */
export interface UserGrant {
  readonly email: string;
  readonly roles: readonly string[];
}

/** Sharing a destination folder (Graph's permissions API); src/mirror/shareRules.ts. */
export interface FolderSharing {
  /** The folder's id and its direct (not inherited) user grants; undefined when the folder does not exist. */
  userGrants(
    driveId: string,
    folderPath: string,
    signal: AbortSignal,
  ): Promise<{ readonly itemId: string; readonly grants: readonly UserGrant[] } | undefined>;
  /** Graph's invite with sign-in required and no e-mail. */
  invite(
    driveId: string,
    itemId: string,
    email: string,
    role: "read" | "write",
    signal: AbortSignal,
  ): Promise<void>;
}

export interface DriveDirectory {
  /** Present when the directory can share folders (the Graph one); a mirror's `share` rules need it. */
  readonly sharing?: FolderSharing;
  /** Site URL -> site -> library (all pages of `/drives`), or user -> OneDrive; `drive` needs no call. */
  resolveDrive(destination: Destination, signal: AbortSignal): Promise<ResolvedDrive>;
  /** `GET /drives/{driveId}/root:/{path}`; undefined on 404. */
  getItemByPath(driveId: string, path: string, signal: AbortSignal): Promise<RemoteItem | undefined>;
  /** `POST /drives/{driveId}/root:/{parent}:/children` (or `/root/children`) with a folder facet. */
  createFolder(driveId: string, parentPath: string, name: string, signal: AbortSignal): Promise<RemoteItem>;
  /**
   * `DELETE /drives/{driveId}/items/{itemId}`, conditional (`If-Match`) on `ifMatch` when given: an eTag or a
   * cTag, 412 when it no longer matches.
   */
  deleteItem(
    driveId: string,
    itemId: string,
    ifMatch: string | undefined,
    signal: AbortSignal,
  ): Promise<void>;
}
