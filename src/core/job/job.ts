/**
 * The unit of work: one source file version to one destination (docs/design.md "The shape").
 *
 * A job is a plain, JSON-serialisable object. Everything that must survive a crash lives in it, and it is all
 * that one table row (or one entry of the CLI's state file) holds. Queue messages only say "wake job X".
 *
 * Secrets: `session.uploadUrl` is a credential (anyone holding it can write the file). It lives only in the job
 * row / state file; {@link publicView} is the only shape that may leave the process (HTTP API, logs, CLI JSON).
 */

import type { SourceFingerprint } from "../ports/common.js";
import type { QuickXorState } from "../shared/quickXorHash.js";

export type ConflictBehavior = "replace" | "rename" | "fail";

/**
 * The fixed status values (issue 4 "Fixed names"): outside scripts depend on them, so names are only ever added,
 * at the end, never renamed. `superseded` (issue 16): a newer request for the same destination item replaced
 * this job before it completed (docs/pipeline.md "One job per destination").
 */
export const JOB_STATUSES = [
  "queued",
  "uploading",
  "verifying",
  "completed",
  "failed",
  "cancelled",
  "superseded",
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** The statuses a job never leaves. */
export const TERMINAL_STATUSES: readonly JobStatus[] = ["completed", "failed", "cancelled", "superseded"];

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** The newer job that replaced a superseded one. */
export interface SupersedingJob {
  readonly requestId: string;
  readonly jobId: string;
}

/** Where the bytes come from. Serialisable references, not open handles. */
export type SourceRef =
  | { readonly type: "file"; readonly path: string }
  | { readonly type: "blob"; readonly container: string; readonly blob: string }
  | { readonly type: "url"; readonly url: string }
  /** A file on an SSH server (src/sources/sftp); `path` is absolute on the server. */
  | {
      readonly type: "sftp";
      readonly host: string;
      readonly port: number;
      readonly username: string;
      readonly path: string;
    };

/**
 * Where the bytes go, as the user said it. `drive` is already resolved; `onedrive` and `sharepoint` are resolved
 * to a drive id by the engine's first step and the result kept in {@link UploadJob.target}.
 * `path` is the destination path inside the drive, always starting with `/`, ending with the file name.
 */
export type Destination =
  | { readonly type: "drive"; readonly driveId: string; readonly path: string }
  | { readonly type: "onedrive"; readonly user: string; readonly path: string }
  | { readonly type: "sharepoint"; readonly site: string; readonly library: string; readonly path: string };

/** A destination resolved to a concrete drive and path. */
export interface ResolvedTarget {
  readonly driveId: string;
  /** Path inside the drive, starting with `/`, ending with the file name. Decoded (not URL-encoded). */
  readonly path: string;
}

/** Graph's upload session as far as it must survive a crash. `uploadUrl` is a secret. */
export interface UploadSessionState {
  readonly uploadUrl: string;
  /** When the session was created (ms since epoch): bounds the absolute URL lifetime (docs/graph-protocol.md, 24 h). */
  readonly createdAt: number;
  /** Last `expirationDateTime` the server gave (ms since epoch); slides forward with each fragment. */
  readonly expiresAt: number;
}

/** Why a job is failing, retrying or failed. Never contains a secret (no URLs with query strings, no tokens). */
export interface JobError {
  /** Stable machine code, e.g. `throttled`, `session-expired`, `quota-exceeded`, `name-conflict`. */
  readonly code: string;
  /** What happened and what a person can do about it. */
  readonly message: string;
  readonly httpStatus?: number;
  /** Most specific Graph error code (inner-most `innerError.code`, else `error.code`). */
  readonly graphCode?: string;
  readonly requestId?: string;
}

export interface UploadResult {
  readonly itemId: string;
  /** The name the service gave the file (differs from the requested one under `rename`). */
  readonly name?: string;
  readonly webUrl?: string;
  readonly eTag?: string;
  /**
   * The stored item's content tag, so the mirror can tell a later content change by someone else from the
   * service changing metadata on its own (new eTag, same cTag; docs/graph-protocol.md "What the service does").
   */
  readonly cTag?: string;
  readonly size: number;
  readonly quickXorHash?: string;
  /**
   * `hash`: size and QuickXorHash matched. `size-only`: the size matched but the hash could not be compared: a
   * service-modified Office type, or a hash the service left out (docs/graph-protocol.md "Hashes"); `warning` says which.
   */
  readonly verification: "hash" | "size-only";
  readonly warning?: string;
}

export interface AttemptCounters {
  /** Consecutive transient failures since bytes last moved; reset whenever bytes are confirmed. */
  readonly retries: number;
  /** Sessions created for this job (the first one counts). Capped: see engine policy. */
  readonly sessions: number;
  /** Resyncs after a 400 on a fragment: at most one, then fail loudly (docs/graph-protocol.md). */
  readonly badRequestResyncs: number;
  /** Times the source changed under us and the job restarted. */
  readonly sourceRestarts: number;
  /** Every step taken, for diagnostics and the invocations-per-chunk benchmark. */
  readonly steps: number;
  /**
   * Graph requests this job has made; bounded by the request budget (docs/upload.md "Request budget").
   * Optional: rows written before the budget existed lack it (read as 0).
   */
  readonly requests?: number;
  /** Consecutive steps that confirmed no new bytes: from the third on, a step waits before the next. */
  readonly idleSteps?: number;
  /** 404s on the upload URL since the session last answered: two in a row declare it gone. */
  readonly notFound?: number;
  /** Re-reads of a stored item whose QuickXorHash the service had not computed yet. */
  readonly hashReads?: number;
  /** Whether the engine already created the destination's parent folders after a 404. */
  readonly foldersEnsured?: boolean;
}

/**
 * Who submitted a job, so that its end reaches the right recorder (src/functions/jobEndHook.ts): a mirror
 * pass (its manifest and history) or the HTTP API (the `(http-api)` history). Rows written before this field
 * existed have none: src/core/job/origin.ts derives it from the request id, in that one place.
 */
export type JobOrigin =
  | { readonly kind: "mirror"; readonly mirror: string; readonly runId: string }
  | { readonly kind: "api"; readonly caller?: string };

export interface UploadJob {
  /** Unique, table-key safe: [A-Za-z0-9-_]. Never named `id` in a queue message (docs/platform.md): use `jobId`. */
  readonly jobId: string;
  /** The upload request (HTTP POST, CLI invocation, mirror run) this job belongs to. Table-key safe. */
  readonly requestId: string;
  /** Who submitted it (absent for CLI jobs, which no job-end hook sees, and for rows older than the field). */
  readonly origin?: JobOrigin;
  readonly source: SourceRef;
  readonly destination: Destination;
  readonly conflictBehavior: ConflictBehavior;
  /**
   * Bytes per fragment, the size in use: a multiple of 320 KiB, under 60 MiB. Fixed when set (CHUNK_SIZE,
   * --chunk-size); else it changes as {@link UploadJob.autoChunk} measures the link.
   */
  readonly chunkSize: number;
  /**
   * Present when nobody set a chunk size: the engine sizes fragments to the link (src/core/upload/chunkSizing.ts,
   * docs/upload.md "Chunk size"); `bytesPerSecond` is the smoothed throughput measured so far. Rows written
   * before it existed lack it, and keep their fixed size.
   */
  readonly autoChunk?: { readonly bytesPerSecond?: number };
  /** Files up to this size (and every 0-byte file) go by simple upload. */
  readonly simpleUploadMax: number;
  /** The source version recorded when the job was created or last restarted (docs/design.md invariant 1). */
  readonly fingerprint?: SourceFingerprint;
  readonly target?: ResolvedTarget;
  readonly status: JobStatus;
  readonly session?: UploadSessionState;
  /** Bytes the server has confirmed (from nextExpectedRanges, never from our own arithmetic). */
  readonly confirmedOffset: number;
  /** QuickXorHash over bytes [0, hash.length) of the source version; hash.length <= confirmedOffset + chunk. */
  readonly hash: QuickXorState;
  /**
   * The last fragment's fate is unknown (timeout, reset, 5xx, 416, 400, or the process restarted): the next
   * step asks the session status before sending anything (docs/graph-protocol.md: a "failed" PUT may have landed).
   */
  readonly resyncPending?: boolean;
  /**
   * Last byte of the first missing range when the server reported more than one range (docs/graph-protocol.md: several
   * ranges seen): the next fragment stops there instead of overlapping bytes the server already holds.
   */
  readonly missingRangeEnd?: number;
  readonly attempts: AttemptCounters;
  readonly lastError?: JobError;
  readonly result?: UploadResult;
  /**
   * Since when createUploadSession has answered "an upload session already exists for this file" (ms since
   * epoch): another session (one whose answer was lost, or another client's) holds the file until it expires.
   */
  readonly sessionBusySince?: number;
  /** The item our upload committed, while its QuickXorHash is awaited: a re-read must find this very item. */
  readonly committedItemId?: string;
  /** When the job should next be woken (ms since epoch); used by the sweeper to find overdue jobs. */
  readonly nextWakeAt?: number;
  /** Set with status `superseded`: the newer request for the same destination item. */
  readonly supersededBy?: SupersedingJob;
  /**
   * Who asked for the job through the HTTP API under API_AUTH=entra: `oid:<object id>` or `appid:<app id>`
   * (src/api/caller.ts), never a token. Absent for mirror and CLI jobs and under function keys.
   */
  readonly requestedBy?: string;
  /** Who cancelled the job through DELETE /api/uploads/{id} under API_AUTH=entra, as `requestedBy`. */
  readonly cancelledBy?: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** What the caller (CLI loop or queue function) should do after a step. */
export type NextAction =
  | { readonly type: "continue" }
  | { readonly type: "wait"; readonly ms: number; readonly reason: string }
  | { readonly type: "done"; readonly result: UploadResult }
  | { readonly type: "failed"; readonly error: JobError }
  | { readonly type: "cancelled" };

/** Progress and diagnostics emitted by a step, for progress bars, JSON event lines and structured logs. */
export type JobEvent =
  | { readonly type: "started"; readonly size: number; readonly method: "simple" | "session" }
  | { readonly type: "session-created"; readonly sessionNumber: number }
  | { readonly type: "session-recreated"; readonly reason: string; readonly sessionNumber: number }
  | { readonly type: "chunk-confirmed"; readonly confirmedOffset: number; readonly size: number }
  | { readonly type: "resynced"; readonly from: number; readonly to: number; readonly reason: string }
  | {
      readonly type: "retrying";
      readonly reason: string;
      readonly delayMs: number;
      readonly error?: JobError;
    }
  | { readonly type: "source-changed"; readonly action: "restart" | "fail" }
  /** Something a person should know although the upload succeeded (e.g. verified by size only, and why). */
  | { readonly type: "warning"; readonly message: string }
  | { readonly type: "completed"; readonly result: UploadResult }
  | { readonly type: "failed"; readonly error: JobError };

export interface StepResult {
  readonly job: UploadJob;
  readonly next: NextAction;
  readonly events: readonly JobEvent[];
  /** Set when Graph throttled a whole drive: every job writing to it should wait until then (ms since epoch). */
  readonly throttleDriveUntil?: { readonly driveId: string; readonly until: number };
}

/** The shape of a job that may leave the process: no upload URL, no tokens. */
export interface PublicJobView {
  readonly jobId: string;
  readonly requestId: string;
  readonly destination: Destination;
  readonly status: JobStatus;
  readonly bytesConfirmed: number;
  readonly size?: number;
  readonly attempts: AttemptCounters;
  readonly lastError?: JobError;
  readonly result?: UploadResult;
  readonly supersededBy?: SupersedingJob;
  readonly requestedBy?: string;
  readonly cancelledBy?: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export function publicView(job: UploadJob): PublicJobView {
  return {
    jobId: job.jobId,
    requestId: job.requestId,
    destination: job.destination,
    status: job.status,
    bytesConfirmed: job.confirmedOffset,
    ...(job.fingerprint ? { size: job.fingerprint.size } : {}),
    attempts: job.attempts,
    ...(job.lastError ? { lastError: job.lastError } : {}),
    ...(job.result ? { result: job.result } : {}),
    ...(job.supersededBy ? { supersededBy: job.supersededBy } : {}),
    ...(job.requestedBy ? { requestedBy: job.requestedBy } : {}),
    ...(job.cancelledBy ? { cancelledBy: job.cancelledBy } : {}),
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
  };
}
