/**
 * The HTTP API's logic, called by the thin Azure Functions adapters in src/functions/uploads.ts and directly by
 * tests (docs/platform.md: handlers are callable with `new HttpRequest(...)` and `new InvocationContext(...)`).
 *
 * POST validates everything first, then submits the jobs (src/core/pipeline/submitJobs.ts: rows in one transaction,
 * destination claims, one wake per job): a request that fails validation stores and enqueues nothing
 * (docs/design.md invariant 6). If the process dies after the rows are written but before a message is sent, the sweeper wakes
 * the jobs (issue 4).
 */
import { randomUUID } from "node:crypto";
import type { HttpRequest, HttpResponse, InvocationContext } from "@azure/functions";
import type { HttpApiConfig } from "../config/httpApi.js";
import { isTerminal, publicView, type SourceRef, type UploadJob } from "../core/job/job.js";
import { submitJobs } from "../core/pipeline/submitJobs.js";
import type { Clock } from "../core/ports/common.js";
import type { DestinationIndex, JobStore, StoredJob, WakeQueue } from "../core/ports/stores.js";
import { redactSecrets } from "../core/shared/redact.js";
import { ConfigError } from "../core/shared/validationError.js";
import { newJob } from "../core/upload/engine.js";
import type { NetworkPolicy } from "../sources/networkGuard.js";
import type { KnownHostEntry } from "../sources/sftp/knownHosts.js";
import { type StagingArea, StagingTooLargeError } from "../sources/staging.js";
import { authorize } from "./authorize.js";
import { ROLES } from "./caller.js";
import { type DestinationCheck, missingDestinations } from "./destinationExists.js";
import {
  destinationNotFound,
  errorAnswer,
  invalidRequest,
  json,
  unsupportedMediaType,
} from "./httpAnswers.js";
import { validateOctetRequest } from "./octetRequest.js";
import { readJsonBody } from "./requestBody.js";
import { type ValidUpload, validateUploadBody } from "./validateUpload.js";

export interface UploadApiDeps {
  readonly config: HttpApiConfig;
  readonly networkPolicy: NetworkPolicy;
  /** Host keys pinned in SFTP_KNOWN_HOSTS: the only servers an sftp source may name. */
  readonly sftpKnownHosts?: readonly KnownHostEntry[];
  readonly jobs: JobStore;
  readonly wake: WakeQueue;
  /** The one-job-per-destination index (src/core/pipeline/destinationClaim.ts). */
  readonly destinations: DestinationIndex;
  readonly staging: StagingArea;
  readonly clock: Clock;
  /** Engine settings every new job carries (CHUNK_SIZE, simple upload threshold). */
  readonly chunkSize: number;
  readonly simpleUploadMax: number;
  /**
   * Asks for one job to be cancelled, naming who asked under API_AUTH=entra; the worker deletes its upload
   * session (src/core/pipeline/cancelRequest.ts).
   */
  readonly cancel: (job: StoredJob, cancelledBy?: string) => Promise<void>;
  readonly newId?: () => string;
  /**
   * Asks Graph (cached) whether each destination's drive exists before anything is stored; absent = not
   * checked here, and a missing drive fails the job later (src/api/destinationExists.ts).
   */
  readonly destinationCheck?: DestinationCheck;
}

/** Request ids become table partition keys: [A-Za-z0-9-_] only (docs/platform.md Table Storage key rules). */
const REQUEST_ID = /^[A-Za-z0-9_-]{1,100}$/;

export function postUpload(deps: UploadApiDeps) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponse> => {
    const auth = authorize(request, deps.config.apiAuth, ROLES.write);
    if (!auth.ok) return auth.answer;
    const caller = { requestedBy: auth.requestedBy };
    try {
      const contentType =
        (request.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
      const query = new URL(request.url).searchParams;
      if (contentType === "application/octet-stream" || query.has("to"))
        return await postOctetStream({ ...deps, ...caller }, request, context, query, contentType);
      // A JSON body must say so: text/plain or no type at all is refused, never guessed (issue 15 item 6).
      if (contentType !== "application/json")
        return unsupportedMediaType([
          {
            field: "Content-Type",
            rule: "must be application/json for a JSON body (or application/octet-stream with ?to=)",
          },
        ]);
      const unknown = [...query.keys()].filter((key) => key !== "code");
      if (unknown.length > 0)
        return invalidRequest(unknown.map((field) => ({ field, rule: "is not a known query parameter" })));
      const body = await readJsonBody(request, deps.config.jsonMaxBytes);
      if (!body.ok) return invalidRequest([body.problem]);
      const upload = await validateUploadBody(body.value, deps);
      const missing = await missingDestinations(
        deps.destinationCheck,
        upload.destinations.map((destination, i) => [destination, `destinations[${i}]`] as const),
      );
      if (missing.length > 0) return destinationNotFound(missing);
      return await createJobs({ ...deps, ...caller }, request, context, newRequestId(deps), upload);
    } catch (err: unknown) {
      if (err instanceof ConfigError) return invalidRequest(err.problems);
      return internalError(context, err);
    }
  };
}

/** The handler's dependencies plus who asked (API_AUTH=entra), recorded in every job of the request. */
type RequestDeps = UploadApiDeps & { readonly requestedBy: string | undefined };

async function postOctetStream(
  deps: RequestDeps,
  request: HttpRequest,
  context: InvocationContext,
  query: URLSearchParams,
  contentType: string,
): Promise<HttpResponse> {
  // 415 as for a JSON body of the wrong type: the media type is judged before anything else (issue 15 item 6).
  if (contentType !== "application/octet-stream")
    return unsupportedMediaType([
      { field: "Content-Type", rule: "must be application/octet-stream with ?to=" },
    ]);
  const octet = validateOctetRequest(
    query,
    request.headers.get("content-length"),
    deps.config.stagingMaxBytes,
  );
  // Before a byte of the body is read: a destination that does not exist is not worth staging for.
  const missing = await missingDestinations(deps.destinationCheck, [[octet.destination, "to"]]);
  if (missing.length > 0) return destinationNotFound(missing);
  const requestId = newRequestId(deps);
  let source: SourceRef;
  try {
    const staged = await deps.staging.stage(requestId, octet.name, request.body ?? emptyBody());
    source = { type: "blob", container: staged.container, blob: staged.blob };
    context.log(JSON.stringify({ event: "staged", requestId, bytes: staged.size }));
  } catch (err: unknown) {
    if (err instanceof StagingTooLargeError)
      return invalidRequest([
        { field: "body", rule: `must be at most ${err.limit} bytes (STAGING_MAX_BYTES)` },
      ]);
    throw err;
  }
  return createJobs(deps, request, context, requestId, {
    source,
    destinations: [octet.destination],
    conflictBehavior: octet.conflictBehavior,
  });
}

async function* emptyBody(): AsyncIterable<Uint8Array> {}

async function createJobs(
  deps: RequestDeps,
  request: HttpRequest,
  context: InvocationContext,
  requestId: string,
  upload: ValidUpload,
): Promise<HttpResponse> {
  const now = deps.clock.now();
  const requestedBy = deps.requestedBy ? { requestedBy: deps.requestedBy } : {};
  const jobs: UploadJob[] = upload.destinations.map((destination, i) => ({
    ...newJob({
      jobId: `${requestId}-${i + 1}`,
      requestId,
      source: upload.source,
      destination,
      conflictBehavior: upload.conflictBehavior,
      chunkSize: deps.chunkSize,
      simpleUploadMax: deps.simpleUploadMax,
      origin: { kind: "api", ...(deps.requestedBy ? { caller: deps.requestedBy } : {}) },
      now,
    }),
    ...requestedBy,
  }));
  // Rows, destination claims (a newer request supersedes an older job for the same item), then wakes.
  await submitJobs(jobs, { ...deps, log: (event) => context.log(JSON.stringify(event)) });
  context.log(JSON.stringify({ event: "upload-requested", requestId, jobs: jobs.length, ...requestedBy }));
  const statusUrl = statusUrlFor(request, requestId);
  return json(
    202,
    {
      id: requestId,
      statusUrl,
      jobs: jobs.map((job) => ({ id: job.jobId, destination: job.destination, status: job.status })),
    },
    { Location: statusUrl },
  );
}

export function getUpload(deps: Pick<UploadApiDeps, "jobs" | "config">) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponse> => {
    const auth = authorize(request, deps.config.apiAuth, ROLES.read);
    if (!auth.ok) return auth.answer;
    try {
      const found = await findRequest(deps, request);
      if (!("jobs" in found)) return found.answer;
      return json(200, statusBody(found.requestId, found.jobs, request));
    } catch (err: unknown) {
      return internalError(context, err);
    }
  };
}

export function deleteUpload(deps: Pick<UploadApiDeps, "jobs" | "cancel" | "config">) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponse> => {
    const auth = authorize(request, deps.config.apiAuth, ROLES.write);
    if (!auth.ok) return auth.answer;
    try {
      const found = await findRequest(deps, request);
      if (!("jobs" in found)) return found.answer;
      await Promise.all(
        found.jobs
          .filter((stored) => !isTerminal(stored.job.status))
          .map((s) => deps.cancel(s, auth.requestedBy)),
      );
      const after = await deps.jobs.listByRequest(found.requestId);
      const by = auth.requestedBy ? { requestedBy: auth.requestedBy } : {};
      context.log(JSON.stringify({ event: "upload-cancel-requested", requestId: found.requestId, ...by }));
      // 202: the worker deletes the upload sessions and marks the jobs cancelled; GET shows when it has.
      return json(202, statusBody(found.requestId, after, request));
    } catch (err: unknown) {
      return internalError(context, err);
    }
  };
}

async function findRequest(
  deps: Pick<UploadApiDeps, "jobs">,
  request: HttpRequest,
): Promise<{ requestId: string; jobs: StoredJob[] } | { answer: HttpResponse }> {
  const requestId = request.params.id ?? "";
  if (!REQUEST_ID.test(requestId))
    return {
      answer: invalidRequest([
        { field: "id", rule: "must be an upload id as returned by POST /api/uploads" },
      ]),
    };
  const jobs = await deps.jobs.listByRequest(requestId);
  if (jobs.length === 0) return { answer: errorAnswer(404, "notFound", `no upload with id ${requestId}`) };
  jobs.sort((a, b) => a.job.jobId.localeCompare(b.job.jobId, "en", { numeric: true }));
  return { requestId, jobs };
}

/**
 * Only public views leave the process: never the upload URL or a token (docs/design.md invariant 5). A pending
 * cancellation already names who asked for it (the row's `cancelledBy`, copied onto the job when it ends).
 */
function statusBody(requestId: string, rows: readonly StoredJob[], request: HttpRequest) {
  return {
    id: requestId,
    statusUrl: statusUrlFor(request, requestId),
    done: rows.every((row) => isTerminal(row.job.status)),
    jobs: rows.map((row) => {
      const { jobId, ...rest } = publicView(row.job);
      const cancelledBy = row.job.cancelledBy ?? row.cancelledBy;
      return { id: jobId, ...rest, ...(cancelledBy ? { cancelledBy } : {}) };
    }),
  };
}

function statusUrlFor(request: HttpRequest, requestId: string): string {
  return `${new URL(request.url).origin}/api/uploads/${requestId}`;
}

function newRequestId(deps: UploadApiDeps): string {
  return (deps.newId ?? randomUUID)();
}

function internalError(context: InvocationContext, err: unknown): HttpResponse {
  const detail = err instanceof Error ? err.message : String(err);
  context.error(JSON.stringify({ event: "http-error", error: redactSecrets(detail) }));
  return errorAnswer(500, "internal", "the request could not be completed; see the function logs");
}
