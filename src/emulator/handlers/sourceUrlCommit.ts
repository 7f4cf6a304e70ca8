/**
 * The documented recovery of an upload whose commit failed: `PUT {drive}/root:/{path}` (or an item id, or a
 * parent id and name) with `{"name", "@microsoft.graph.conflictBehavior", "@microsoft.graph.sourceUrl":
 * "<uploadUrl>"}` commits the session's bytes to that item. Microsoft Learn, "Upload large files with an upload
 * session", "Handle upload errors" (https://learn.microsoft.com/graph/api/driveitem-createuploadsession; also
 * OneDrive/onedrive-api-docs, docs/rest-api/api/driveitem_createuploadsession.md): "the PUT request must include
 * the @microsoft.graph.sourceUrl property with the value of your upload session URL"; the answer is 201 or 200
 * with the driveItem.
 *
 * What Graph answers for a sourceUrl that is no live, complete session is not documented (modelled on docs/graph-protocol.md,
 * unconfirmed): not an upload URL of this emulator, or a session of another drive: 400 invalidRequest; an unknown,
 * ended or expired session, or a wrong tempauth: 404 itemNotFound "The upload session was not found", as the
 * upload host answers; a session still missing bytes: 400 invalidRequest.
 */
import type { IncomingMessage } from "node:http";
import { z } from "zod";
import { commitFile } from "../commitFile.js";
import { committedItemReply } from "../commitResponse.js";
import type { TokenRecord } from "../directory.js";
import { errors } from "../errors.js";
import type { DriveRef, ItemAddress } from "../graphRouter.js";
import { type BodyMeter, type Reply, readJsonBody } from "../http.js";
import { isOwnUploadOrigin } from "../publicNames.js";
import { sessionContent, type UploadSession } from "../sessions.js";
import type { EmulatorState } from "../state.js";
import { conflictBehaviorSchema, prepareWrite, queryConflictBehavior } from "./uploadRoutes.js";

const SOURCE_URL = "@microsoft.graph.sourceUrl";

/** A driveItem resource: other properties (`file`, `description`, ...) are allowed and ignored. */
const bodySchema = z.object({
  name: z.string().min(1, { message: "must not be empty" }).optional(),
  "@microsoft.graph.conflictBehavior": conflictBehaviorSchema.optional(),
  [SOURCE_URL]: z.string({ message: "is required: the uploadUrl of the session to commit" }),
});

const sessionNotFound = () => errors.itemNotFound("The upload session was not found.");
/** Never echoes the URL: it carries the session's tempauth. */
const notAnUploadUrl = () =>
  errors.invalidRequest(`${SOURCE_URL}: must be the uploadUrl of an upload session of this service.`);

/** The session a sourceUrl names, if it is live and holds every byte. */
async function completeSession(state: EmulatorState, sourceUrl: string): Promise<UploadSession> {
  let url: URL;
  try {
    url = new URL(sourceUrl);
  } catch {
    throw notAnUploadUrl();
  }
  const match = /^\/up\/([A-Za-z0-9-]+)\/?$/.exec(url.pathname);
  if (!isOwnUploadOrigin(state, url.origin) || !match?.[1]) throw notAnUploadUrl();
  const session = state.sessions.get(match[1]);
  if (!session || url.searchParams.get("tempauth") !== session.secret) throw sessionNotFound();
  if (state.clock.now() >= session.expiresAt) {
    await state.sessions.end(session, true);
    state.log.count("sessionsExpired");
    throw sessionNotFound();
  }
  if (!session.awaitingCommit) {
    throw errors.invalidRequest(
      `${SOURCE_URL}: the upload session cannot be committed: bytes are still missing.`,
    );
  }
  return session;
}

export async function commitFromUploadSession(
  state: EmulatorState,
  token: TokenRecord,
  ref: DriveRef,
  address: ItemAddress,
  request: { req: IncomingMessage; url: URL; meter: BodyMeter },
): Promise<Reply> {
  const prepared = prepareWrite(state, token, ref, address);
  const body = await readJsonBody(request.req, request.meter, state.limits.maxJsonBodyBytes, bodySchema);
  if (body.name !== undefined && body.name !== prepared.name) {
    throw errors.invalidRequest(`name: must match the name in the URL ('${prepared.name}').`, "nameMismatch");
  }
  const session = await completeSession(state, body[SOURCE_URL]);
  const { drive } = prepared.context;
  if (session.driveId !== drive.id) {
    throw errors.invalidRequest(`${SOURCE_URL}: the upload session belongs to another drive.`);
  }
  const behavior =
    body["@microsoft.graph.conflictBehavior"] ??
    queryConflictBehavior(request.url) ??
    state.limits.sessionDefaultConflictBehavior;
  // A failure here (conflict again, quota) leaves the session as it was: complete, uncommitted, retryable.
  const { item, created } = await commitFile(state, {
    drive,
    folders: prepared.folders,
    name: prepared.name,
    ...(prepared.target.kind === "item" ? { targetItemId: prepared.target.item.id } : {}),
    conflictBehavior: behavior,
    ...sessionContent(session),
  });
  await state.sessions.end(session, false);
  state.log.count("sessionsCompleted");
  state.log.count("sessionsCommittedFromSourceUrl");
  return committedItemReply(state, drive, item, created);
}
