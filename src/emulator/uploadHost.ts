/**
 * The upload host: `{uploadOrigin}/up/{sessionId}?tempauth={secret}` (docs/graph-protocol.md "Upload sessions"). Requests are
 * authorised by the URL alone; an `Authorization` header is refused (strict mode), the token in the URL dies
 * after the absolute lifetime (401), and a session past its sliding `expirationDateTime` is gone (404).
 */
import type { IncomingMessage } from "node:http";
import { QuickXorHash } from "../core/shared/quickXorHash.js";
import { addInterval, missingRanges, receivedBytes } from "./byteRanges.js";
import { assertFits, commitFile, existingTarget } from "./commitFile.js";
import { committedItemReply } from "./commitResponse.js";
import { errors, GraphError } from "./errors.js";
import { type CommitFault, defaultCodeFor } from "./faults.js";
import { checkFragment } from "./fragmentRules.js";
import { type BodyMeter, empty, json, type Reply } from "./http.js";
import { type BodyFault, receiveBody } from "./receiveBody.js";
import type { RouteName } from "./routes.js";
import { sessionContent, type UploadSession } from "./sessions.js";
import type { EmulatorState } from "./state.js";

const SESSION_PATH = /^\/up\/([A-Za-z0-9-]+)\/?$/;

export function routeUpload(method: string, pathname: string): { route: RouteName; sessionId?: string } {
  const match = SESSION_PATH.exec(pathname);
  if (!match?.[1]) return { route: "unknown" };
  const sessionId = match[1];
  switch (method) {
    case "PUT":
      return { route: "uploadFragment", sessionId };
    case "GET":
      return { route: "uploadStatus", sessionId };
    case "DELETE":
      return { route: "uploadCancel", sessionId };
    case "POST":
      return { route: "uploadCommit", sessionId };
    default:
      return { route: "unknown", sessionId };
  }
}

export interface UploadRequest {
  readonly req: IncomingMessage;
  readonly route: RouteName;
  readonly sessionId: string | undefined;
  readonly tempauth: string | null;
  readonly meter: BodyMeter;
  readonly bodyFault?: BodyFault;
  /** `commitFails`: the commit this request triggers fails after every byte is stored. */
  readonly commitFault?: CommitFault;
}

const unauthenticated = (message: string) => new GraphError(401, "unauthenticated", message);
const sessionNotFound = () => errors.itemNotFound("The upload session was not found.");

/** The session a request addresses, after every credential and expiry check. */
export async function liveSession(state: EmulatorState, request: UploadRequest): Promise<UploadSession> {
  if (state.limits.rejectAuthorizationOnUploadUrl && request.req.headers.authorization !== undefined) {
    throw unauthenticated(
      "Upload URLs are pre-authenticated: requests must not carry an Authorization header.",
    );
  }
  const session = request.sessionId === undefined ? undefined : state.sessions.get(request.sessionId);
  if (!session) throw sessionNotFound();
  if (request.tempauth !== session.secret)
    throw unauthenticated("The upload URL's tempauth is missing or invalid.");
  const now = state.clock.now();
  if (now >= session.urlExpiresAt) {
    const status = state.limits.expiredUploadUrlStatus;
    throw new GraphError(
      status,
      status === 401 ? "unauthenticated" : "accessDenied",
      "The upload URL has expired.",
    );
  }
  if (now >= session.expiresAt) {
    await state.sessions.end(session, true);
    state.log.count("sessionsExpired");
    throw sessionNotFound();
  }
  return session;
}

function statusBody(state: EmulatorState, session: UploadSession): unknown {
  return {
    expirationDateTime: new Date(session.expiresAt).toISOString(),
    nextExpectedRanges: session.awaitingCommit
      ? []
      : missingRanges(session.ranges, session.total, state.limits.nextExpectedRangesStyle),
  };
}

/**
 * Every byte is stored but the file is not committed: the session stays until its expirationDateTime, status
 * answers `nextExpectedRanges: []`, fragment PUTs answer 416, and `PUT {item path}` with
 * `@microsoft.graph.sourceUrl` commits it. Microsoft Learn, "Upload large files with an upload session", "Handle
 * upload errors": "The upload session will be preserved until the expiration time, which allows your app to
 * recover the upload by explicitly committing the upload session" (also OneDrive/onedrive-api-docs,
 * docs/rest-api/api/driveitem_createuploadsession.md).
 */
function keepUncommitted(state: EmulatorState, session: UploadSession): void {
  session.awaitingCommit = true;
  state.sessions.changed(session);
  state.log.count("sessionsUncommitted");
}

async function complete(
  state: EmulatorState,
  session: UploadSession,
  commitFault: CommitFault | undefined,
): Promise<Reply> {
  const drive = state.directory.drives.get(session.driveId);
  if (!drive) throw sessionNotFound();
  if (commitFault) {
    keepUncommitted(state, session);
    const status = commitFault.status ?? 500;
    throw new GraphError(
      status,
      commitFault.code ?? defaultCodeFor(status),
      "The upload could not be committed. Commit it with @microsoft.graph.sourceUrl or start over.",
    );
  }
  try {
    const { item, created } = await commitFile(state, {
      drive,
      folders: session.folders,
      name: session.name,
      ...(session.targetItemId !== undefined ? { targetItemId: session.targetItemId } : {}),
      conflictBehavior: session.conflictBehavior,
      ...sessionContent(session),
    });
    await state.sessions.end(session, false);
    state.log.count("sessionsCompleted");
    return committedItemReply(state, drive, item, created);
  } catch (err: unknown) {
    if (state.limits.sessionSurvivesCommitFailure && err instanceof GraphError) {
      // Field: a name conflict under `fail` or a full quota leaves the session for the sourceUrl recovery.
      keepUncommitted(state, session);
    } else {
      // Lenient: a session that cannot complete is over.
      await state.sessions.end(session, true);
    }
    throw err;
  }
}

async function putFragment(
  state: EmulatorState,
  session: UploadSession,
  request: UploadRequest,
): Promise<Reply> {
  const { req } = request;
  const { limits } = state;
  if (session.awaitingCommit) {
    // Every byte is here (deferred, or a commit that failed): docs/graph-protocol.md "Fragment PUTs after that answer 416".
    throw new GraphError(
      416,
      "invalidRange",
      "Every byte of this upload session has been received.",
      "fragmentOverlap",
    );
  }
  const { first, last, total } = checkFragment(limits, session, req);
  const size = last - first + 1;
  const range = [first, last + 1] as const;
  const drive = state.directory.drives.get(session.driveId);
  if (!drive) throw sessionNotFound();
  // Replacing a file frees its bytes: only the difference has to fit.
  const replaces = session.targetItemId !== undefined || session.conflictBehavior === "replace";
  const replaced = replaces ? existingTarget(state, { ...session, drive }) : undefined;
  assertFits(state, drive, total, replaced?.size ?? 0);
  session.total = total;

  const inOrder = first === session.hash.bytesHashed;
  const before = session.hash.state();
  session.inFlight = range;
  let outcome: Awaited<ReturnType<typeof receiveBody>>;
  try {
    outcome = await receiveBody({
      req,
      meter: request.meter,
      writer: session.blob.writer(first),
      ...(inOrder ? { hash: session.hash } : {}),
      expectedLength: size,
      ...(request.bodyFault ? { fault: request.bodyFault } : {}),
    });
  } catch (err: unknown) {
    session.hash = new QuickXorHash(before);
    throw err;
  } finally {
    session.inFlight = undefined;
  }
  const kept = outcome.kind === "complete" ? outcome.bytes : outcome.committed;
  if (kept > 0) {
    session.ranges = addInterval(session.ranges, [first, first + kept]);
    session.expiresAt = state.clock.now() + limits.sessionSlidingTtlMs;
    state.log.count("fragmentBytesStored", kept);
  }
  state.sessions.changed(session);
  if (outcome.kind === "reset") return { kind: "reset" };

  let reply: Reply;
  if (receivedBytes(session.ranges) === total) {
    if (session.deferCommit) {
      session.awaitingCommit = true;
      state.sessions.changed(session);
      reply = json(202, statusBody(state, session));
    } else {
      reply = await complete(state, session, request.commitFault);
    }
  } else {
    reply = json(202, statusBody(state, session));
  }
  if (request.bodyFault?.type === "storeThenFail") {
    throw new GraphError(500, "generalException", "An internal error occurred (the fragment was stored).");
  }
  return reply;
}

export async function handleUploadRequest(state: EmulatorState, request: UploadRequest): Promise<Reply> {
  if (request.route === "unknown") throw errors.itemNotFound("The upload session was not found.");
  const session = await liveSession(state, request);
  switch (request.route) {
    case "uploadFragment":
      return putFragment(state, session, request);
    case "uploadStatus":
      return json(200, statusBody(state, session));
    case "uploadCancel":
      await state.sessions.end(session, true);
      state.log.count("sessionsCancelled");
      return empty(204);
    case "uploadCommit":
      if (!session.deferCommit)
        throw errors.invalidRequest("This upload session was not created with deferCommit.");
      if (!session.awaitingCommit) {
        throw errors.invalidRequest("The upload session cannot be committed: bytes are still missing.");
      }
      return complete(state, session, request.commitFault);
    default:
      throw errors.methodNotAllowed();
  }
}
