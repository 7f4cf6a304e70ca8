/**
 * What to do after a failed Graph call, decided from the HTTP evidence and where it happened
 * (docs/graph-protocol.md "Upload sessions", "Throttling", "Errors"; docs/design.md "classify errors by what to do next").
 * Branches on status and Graph codes (most specific first), never on messages.
 */

import type { ConflictBehavior, JobError } from "../job/job.js";
import { GraphFailure } from "../ports/graphFailure.js";
import { backoffDelay } from "../shared/backoff.js";
import { RangeParseError } from "../shared/ranges.js";
import { redactSecrets } from "../shared/redact.js";
import { serverRequestedDelay } from "../shared/retryAfter.js";
import type { EnginePolicy } from "./policy.js";

/** Where the failed call was made: the same status means different things on the Graph host and upload URL. */
export type Operation =
  | "resolve"
  | "simple-upload"
  | "create-session"
  | "fragment"
  | "status"
  | "get-item"
  | "commit"
  | "cancel";

export type Decision =
  /** Try again at once; `resync` = ask the session status first (the fragment's fate is unknown). */
  | { readonly action: "retry-now"; readonly error: JobError; readonly resync: boolean }
  /** Try again after `delayMs`; `throttleDrive` = slow every job on the drive (429/503). */
  | {
      readonly action: "retry-after";
      readonly error: JobError;
      readonly delayMs: number;
      readonly resync: boolean;
      readonly throttleDrive: boolean;
    }
  /**
   * The session or its URL is gone: start again from byte 0 with a new session (docs/graph-protocol.md). `gone: false` when
   * the server has not said the session itself is gone: it is deleted first (one live session per file).
   */
  | { readonly action: "restart-session"; readonly error: JobError; readonly gone: boolean }
  /** A simple upload was too large for this drive: use an upload session instead. */
  | { readonly action: "use-session"; readonly error: JobError }
  /** The job fails; a session it holds is deleted (src/core/upload/outcomes.ts `failJob`). */
  | { readonly action: "fail"; readonly error: JobError };

export interface ClassifyContext {
  readonly retries: number;
  readonly badRequestResyncs: number;
  readonly now: number;
  readonly random: () => number;
  readonly policy: EnginePolicy;
  /** The job's conflict behaviour: a 409 is a name conflict only under `fail`. */
  readonly conflict?: ConflictBehavior;
}

const UPLOAD_URL_OPERATIONS: ReadonlySet<Operation> = new Set(["fragment", "status", "cancel"]);

/**
 * Failures without an HTTP status first (an unreadable answer, no token, a bug, a timeout, no connection), then
 * the status table (classifyStatus).
 */
export function classifyFailure(failure: unknown, operation: Operation, ctx: ClassifyContext): Decision {
  if (failure instanceof RangeParseError) {
    return transient(jobError("bad-response", failure.message), operation, ctx);
  }
  if (isCredentialFailure(failure)) {
    // The token provider could not produce a token (src/auth AuthError). Only a network-class failure of the
    // identity endpoint is worth retrying; the rest (expired refresh token, bad secret, insufficient
    // permission) need a person, and the message already says what to do.
    const error = jobError(`auth-${failure.code}`, failure.message);
    if (failure.retryable) {
      const delayMs = backoffDelay(ctx.retries, ctx.random, ctx.policy.backoff);
      return { action: "retry-after", error, delayMs, resync: false, throttleDrive: false };
    }
    return { action: "fail", error };
  }
  if (!(failure instanceof GraphFailure)) {
    const message = failure instanceof Error ? failure.message : String(failure);
    return { action: "fail", error: jobError("internal-error", message) };
  }
  if (failure.kind === "timeout") {
    return transient(evidence(failure, "timeout", "the request timed out"), operation, ctx);
  }
  if (failure.kind === "network" && failure.unreachableHost && !UPLOAD_URL_OPERATIONS.has(operation)) {
    return unreachableGraphHost(failure, failure.unreachableHost, ctx);
  }
  if (failure.kind === "network") {
    return transient(evidence(failure, "network-error", "the connection failed"), operation, ctx);
  }
  return classifyStatus(failure, operation, ctx);
}

/**
 * The HTTP status table, most specific first. It stays one function read top to bottom because the order is
 * part of the decision (a 401/403/404 on the upload URL restarts the session before the same status on the
 * Graph host fails the job; a 409 means a name conflict only under `fail`); `fail` and `wait` keep each row
 * short enough to read as a table.
 */
function classifyStatus(failure: GraphFailure, operation: Operation, ctx: ClassifyContext): Decision {
  const status = failure.status ?? 0;
  const onUploadUrl = UPLOAD_URL_OPERATIONS.has(operation);
  const fail = (code: string, summary: string): Decision => ({
    action: "fail",
    error: evidence(failure, code, summary),
  });
  /** Wait (backoff with jitter), then ask again; a fragment's fate is unknown, so resync first. */
  const wait = (code: string, summary: string, backoff: EnginePolicy["backoff"]): Decision => ({
    action: "retry-after",
    error: evidence(failure, code, summary),
    delayMs: backoffDelay(ctx.retries, ctx.random, backoff),
    resync: operation === "fragment",
    throttleDrive: false,
  });

  if (status === 429 || status === 503) return throttled(failure, operation, ctx);
  if (status === 423) {
    const summary = "the file is locked (open in an app or checked out); waiting";
    return wait("locked", summary, ctx.policy.lockedBackoff);
  }
  if (status === 416) {
    // fragmentOverlap / fragmentOutOfOrder: our idea of the offset is wrong; the server's status is right.
    const error = evidence(failure, "range-mismatch", "the server expected a different byte range");
    return { action: "retry-now", error, resync: true };
  }
  if (status === 507)
    return fail("quota-exceeded", "the drive is out of storage quota; free space and retry");
  if (status === 409 && ctx.conflict === "fail") {
    return fail(
      "name-conflict",
      "an item with this name already exists and the conflict behaviour is fail; choose replace to " +
        "overwrite it or rename to keep both",
    );
  }
  // Under replace or rename a 409 is not about the name: the file is open in an app, or another upload
  // holds it; at commit the session is kept (docs/graph-protocol.md "What the service does"). Wait, then ask again.
  if (status === 409) {
    const summary = "the service refused to write the file for now (open or held)";
    return wait("file-busy", summary, ctx.policy.backoff);
  }
  if (status === 413 && operation === "simple-upload") {
    const error = evidence(failure, "payload-too-large", "simple upload refused; using an upload session");
    return { action: "use-session", error };
  }
  if (onUploadUrl && (status === 404 || status === 401 || status === 403)) {
    const code = status === 404 ? "session-not-found" : "upload-url-expired";
    const what = status === 404 ? "the upload session was not found" : "the upload URL was refused";
    // A refused URL (401/403) may belong to a session that still holds the file: delete it first.
    return { action: "restart-session", error: evidence(failure, code, what), gone: status === 404 };
  }
  if (status === 400 && onUploadUrl && ctx.badRequestResyncs < 1) {
    const error = evidence(failure, "bad-request", "the server rejected a fragment; resynchronising");
    return { action: "retry-now", error, resync: true };
  }
  if (status === 400) return fail("bad-request", "Microsoft Graph rejected the request as malformed");
  if (status === 401) return fail("unauthorized", "Microsoft Graph refused the credentials; check the token");
  if (status === 403) {
    return fail("forbidden", "the credentials may not write here; grant write access to this drive or site");
  }
  if (status === 404) return fail("not-found", "the drive, site, user or folder does not exist");
  if (status >= 500 || status === 408) {
    return transient(evidence(failure, "server-error", "Microsoft Graph had a server error"), operation, ctx);
  }
  return fail("unexpected-status", "Microsoft Graph answered with an unexpected status");
}

/**
 * 429/503: wait as long as the server asked (Retry-After, or the rate limit's reset), else back off; slow every
 * job on the drive (docs/graph-protocol.md "Throttling").
 */
function throttled(failure: GraphFailure, operation: Operation, ctx: ClassifyContext): Decision {
  const error = evidence(failure, "throttled", "Microsoft Graph is throttling requests");
  const serverDelay = serverRequestedDelay(
    {
      ...(failure.retryAfter !== undefined ? { retryAfter: failure.retryAfter } : {}),
      ...(failure.rateLimitReset !== undefined ? { rateLimitReset: failure.rateLimitReset } : {}),
    },
    ctx.now,
  );
  return {
    action: "retry-after",
    error,
    delayMs: serverDelay ?? backoffDelay(ctx.retries, ctx.random, ctx.policy.backoff),
    resync: operation === "fragment",
    throttleDrive: true,
  };
}

/**
 * Issue 15 item 7: nothing listens at the Graph host, or its name does not resolve (a wrong GRAPH_BASE_URL or
 * port). A few quick tries ride out a host that is just starting; then the job fails with "cannot connect to
 * <host>" instead of backing off for minutes. Upload URLs keep the transient path: their fragment's fate is
 * unknown and must be resynced.
 */
const QUICK_CONNECT_RETRIES = 3;
const QUICK_CONNECT_DELAY_MS = 500;

function unreachableGraphHost(failure: GraphFailure, host: string, ctx: ClassifyContext): Decision {
  const error = evidence(
    failure,
    "cannot-connect",
    `cannot connect to ${host}; check GRAPH_BASE_URL and the network`,
  );
  if (ctx.retries >= QUICK_CONNECT_RETRIES) return { action: "fail", error };
  return {
    action: "retry-after",
    error,
    delayMs: QUICK_CONNECT_DELAY_MS * (ctx.retries + 1),
    resync: false,
    throttleDrive: false,
  };
}

/** 5xx, timeouts, resets: backoff with jitter; on a fragment, ask the status before resending (docs/graph-protocol.md). */
function transient(error: JobError, operation: Operation, ctx: ClassifyContext): Decision {
  return {
    action: "retry-after",
    error,
    delayMs: backoffDelay(ctx.retries, ctx.random, ctx.policy.backoff),
    resync: operation === "fragment" || operation === "status",
    throttleDrive: false,
  };
}

/**
 * Recognised by shape rather than by class, so the core does not import the auth adapters: an Error with a
 * string `code` and a boolean `retryable` (src/auth/errors.ts AuthError has both).
 */
function isCredentialFailure(failure: unknown): failure is Error & { code: string; retryable: boolean } {
  return (
    failure instanceof Error &&
    failure.name === "AuthError" &&
    typeof (failure as { code?: unknown }).code === "string" &&
    typeof (failure as { retryable?: unknown }).retryable === "boolean"
  );
}

export function jobError(code: string, message: string): JobError {
  return { code, message: redactSecrets(message) };
}

function evidence(failure: GraphFailure, code: string, summary: string): JobError {
  return {
    code,
    message: redactSecrets(`${summary} (${failure.message})`),
    ...(failure.status !== undefined ? { httpStatus: failure.status } : {}),
    ...(failure.graphCode !== undefined ? { graphCode: failure.graphCode } : {}),
    ...(failure.requestId !== undefined ? { requestId: failure.requestId } : {}),
  };
}
