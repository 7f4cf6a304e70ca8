/**
 * The step machine's caps and delays. Defaults follow docs/graph-protocol.md: the upload URL dies 24 h after creation;
 * 423 (locked) wants minutes of backoff, not seconds; session recreation is capped because some SharePoint
 * Office files 404 on every new session.
 */
import type { BackoffOptions } from "../shared/backoff.js";
import type { ChunkSizingLimits } from "./chunkSizing.js";

export type SourceChangePolicy = "restart" | "fail";

export interface EnginePolicy {
  /** Consecutive failures without confirmed bytes before the job fails. Reset whenever bytes are confirmed. */
  readonly maxRetries: number;
  /** Upload sessions one job may create (the first included) before it fails. */
  readonly maxSessions: number;
  /** What to do when the source changes mid-upload. */
  readonly onSourceChange: SourceChangePolicy;
  /** Restarts because the source changed, before the job fails as unstable. */
  readonly maxSourceRestarts: number;
  /** Backoff for 5xx, timeouts, resets and 429/503 without Retry-After. */
  readonly backoff: BackoffOptions;
  /** Backoff for 423 Locked (file open or checked out). */
  readonly lockedBackoff: BackoffOptions;
  /** Absolute upload-URL lifetime counted from session creation (docs/graph-protocol.md: 24 h on SharePoint/OneDrive). */
  readonly sessionLifetimeMs: number;
  /** Treat a session as expired this long before the server's `expirationDateTime` (clock skew, slow sends). */
  readonly expirySafetyMs: number;
  /**
   * The hard request budget of one job: `base + perChunk x fragments`. A healthy upload needs about one request
   * per fragment plus three; past the budget the job fails (`request-budget`) instead of looping.
   */
  readonly requestBudget: { readonly base: number; readonly perChunk: number };
  /** Wait before a step that follows two steps in a row that moved no bytes ("no path may loop"). */
  readonly idleBackoff: BackoffOptions;
  /**
   * A 404 on the upload URL can be transient right after creation (rclone backend/onedrive `uploadFragment`:
   * "assuming eventual consistency problem with session", waits 5 s): wait this long and ask the status.
   */
  readonly notFoundRetryMs: number;
  /** "An upload session already exists for this file": wait for the other session to expire (backoff). */
  readonly sessionBusyBackoff: BackoffOptions;
  /** ... but no longer than this in total; then fail with `session-busy`. */
  readonly sessionBusyMaxWaitMs: number;
  /** A stored item without a QuickXorHash is read again this many times (hashes can appear late). */
  readonly hashRereads: number;
  /** Delay before each re-read of an item without a hash. */
  readonly hashRereadDelayMs: number;
  /** Deadline of the final fragment, whose answer waits for the commit (minutes for large files: docs/graph-protocol.md). */
  readonly finalFragmentTimeoutMs: number;
  /**
   * Whether a job that gave up after `maxRetries` keeps its session for a later resume. Only where the session
   * survives somewhere a person can resume it from (the CLI's state file); elsewhere it is deleted, because an
   * abandoned session blocks every new upload of the file until it expires (one session per file, docs/graph-protocol.md).
   */
  readonly keepSessionOnGiveUp: boolean;
  /** Bounds for jobs whose chunk size is sized to the link (chunkSizing.ts); absent: its defaults. */
  readonly chunkSizing?: ChunkSizingLimits;
}

export const DEFAULT_POLICY: EnginePolicy = {
  maxRetries: 8,
  maxSessions: 5,
  onSourceChange: "restart",
  maxSourceRestarts: 3,
  backoff: { baseMs: 1_000, maxMs: 60_000 },
  lockedBackoff: { baseMs: 60_000, maxMs: 15 * 60_000 },
  sessionLifetimeMs: 24 * 60 * 60_000,
  expirySafetyMs: 60_000,
  requestBudget: { base: 48, perChunk: 6 },
  idleBackoff: { baseMs: 1_000, maxMs: 60_000 },
  notFoundRetryMs: 5_000,
  sessionBusyBackoff: { baseMs: 15_000, maxMs: 5 * 60_000 },
  sessionBusyMaxWaitMs: 30 * 60_000,
  hashRereads: 2,
  hashRereadDelayMs: 2_000,
  finalFragmentTimeoutMs: 10 * 60_000,
  keepSessionOnGiveUp: false,
};
