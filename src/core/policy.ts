/**
 * The step machine's caps and delays. Defaults follow GRAPH.md: the upload URL dies 24 h after creation;
 * 423 (locked) wants minutes of backoff, not seconds; session recreation is capped because some SharePoint
 * Office files 404 on every new session.
 */
import type { BackoffOptions } from "./backoff.js";

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
  /** Absolute upload-URL lifetime counted from session creation (GRAPH.md: 24 h on SharePoint/OneDrive). */
  readonly sessionLifetimeMs: number;
  /** Treat a session as expired this long before the server's `expirationDateTime` (clock skew, slow sends). */
  readonly expirySafetyMs: number;
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
};
