/** Simple upload (`PUT ...:/content`) and upload session creation (`POST ...:/createUploadSession`). */
import type { IncomingMessage } from "node:http";
import { z } from "zod";
import type { ConflictBehavior } from "../../core/job/job.js";
import { QuickXorHash } from "../../core/shared/quickXorHash.js";
import { assertCanWrite } from "../access.js";
import { assertFits, commitFile } from "../commitFile.js";
import { committedItemReply } from "../commitResponse.js";
import type { TokenRecord } from "../directory.js";
import { errors, GraphError } from "../errors.js";
import type { DriveRef, ItemAddress } from "../graphRouter.js";
import { type BodyMeter, contentLength, json, type Reply, readJsonBody } from "../http.js";
import type { ItemRecord } from "../itemTree.js";
import { assertValidPath } from "../names.js";
import { graphBaseFor, uploadOriginFor } from "../publicNames.js";
import { type BodyFault, receiveBody } from "../receiveBody.js";
import type { EmulatorState } from "../state.js";
import { type DriveContext, driveContext, type WriteTarget, writeTarget } from "./targets.js";

export const conflictBehaviorSchema = z.enum(["fail", "replace", "rename"], {
  message: "must be fail, replace or rename",
});

export function queryConflictBehavior(url: URL): ConflictBehavior | undefined {
  const value = url.searchParams.get("@microsoft.graph.conflictBehavior");
  if (value === null) return undefined;
  const parsed = conflictBehaviorSchema.safeParse(value);
  if (!parsed.success)
    throw errors.invalidRequest("@microsoft.graph.conflictBehavior: must be fail, replace or rename.");
  return parsed.data;
}

export interface PreparedWrite {
  readonly context: DriveContext;
  readonly target: WriteTarget;
  readonly name: string;
  readonly folders: readonly string[];
  readonly existing: ItemRecord | undefined;
}

export function prepareWrite(
  state: EmulatorState,
  token: TokenRecord,
  ref: DriveRef,
  address: ItemAddress,
): PreparedWrite {
  const context = driveContext(state, token, ref);
  assertCanWrite(token);
  const target = writeTarget(context.tree, address);
  if (target.kind === "item") {
    const folders = context.tree.pathOf(target.item).slice(0, -1);
    return { context, target, name: target.item.name, folders, existing: target.item };
  }
  assertValidPath(context.drive.serverRelativeRoot, target.folders, target.name, state.limits.maxPathLength);
  const existing = context.tree.resolve([...target.folders, target.name]);
  if (existing && existing.kind !== "file")
    throw errors.nameAlreadyExists("A folder with this name already exists.");
  return { context, target, name: target.name, folders: target.folders, existing };
}

export async function simpleUpload(
  state: EmulatorState,
  token: TokenRecord,
  ref: DriveRef,
  address: ItemAddress,
  request: { req: IncomingMessage; url: URL; meter: BodyMeter; bodyFault?: BodyFault },
): Promise<Reply> {
  const prepared = prepareWrite(state, token, ref, address);
  const behavior = queryConflictBehavior(request.url) ?? "replace";
  if (prepared.existing && prepared.target.kind === "path" && behavior === "fail")
    throw errors.nameAlreadyExists();
  const max = state.limits.simpleUploadMaxBytes;
  const tooLarge = () =>
    new GraphError(
      413,
      "requestTooLarge",
      `Simple upload is limited to ${max} bytes: use an upload session.`,
    );
  const length = contentLength(request.req);
  if (length !== undefined && length > max) throw tooLarge();
  const { drive } = prepared.context;
  assertFits(state, drive, length ?? 0, prepared.existing?.size ?? 0);
  const blob = await state.content.create();
  const hash = new QuickXorHash();
  let committed = false;
  try {
    const outcome = await receiveBody({
      req: request.req,
      meter: request.meter,
      writer: blob.writer(0),
      hash,
      expectedLength: length ?? 0,
      ...(request.bodyFault ? { fault: request.bodyFault } : {}),
      limit: { bytes: max, error: tooLarge },
    });
    // A simple upload is all or nothing: a cut connection leaves no file.
    if (outcome.kind === "reset") {
      await blob.dispose();
      return { kind: "reset" };
    }
    const { item, created } = await commitFile(state, {
      drive,
      folders: prepared.folders,
      name: prepared.name,
      ...(prepared.target.kind === "item" ? { targetItemId: prepared.target.item.id } : {}),
      conflictBehavior: behavior,
      blob,
      size: outcome.bytes,
      streamedHash: hash.digest(),
    });
    committed = true;
    if (request.bodyFault?.type === "storeThenFail") {
      throw new GraphError(500, "generalException", "An internal error occurred (the file was stored).");
    }
    return committedItemReply(state, drive, item, created);
  } catch (err: unknown) {
    if (!committed) await blob.dispose();
    throw err;
  }
}

/**
 * OneDrive for Business ties a session to its file: while one is alive, another for the same file answers 409
 * nameAlreadyExists "An upload session already exists for this file", whatever the conflict behaviour
 * (OneDrive/onedrive-api-docs#747, #989; docs/graph-protocol.md: persist the upload URL before the first PUT). A session that
 * holds every byte but failed to commit is still live (complete, uncommitted) and blocks too.
 */
function assertNoLiveSession(state: EmulatorState, driveId: string, prepared: PreparedWrite): void {
  const now = state.clock.now();
  const key = [...prepared.folders, prepared.name].join("/").toLowerCase();
  const live = state.sessions
    .all()
    .some(
      (s) =>
        s.driveId === driveId &&
        now < s.expiresAt &&
        now < s.urlExpiresAt &&
        [...s.folders, s.name].join("/").toLowerCase() === key,
    );
  if (live) throw errors.nameAlreadyExists("An upload session already exists for this file");
}

/**
 * Field profile: a session below a folder that does not exist answers 404, as Graph answers for any missing path.
 * The old OneDrive doc said "the parent folder must exist before you call createSession" and Microsoft kept it as
 * a backlog item (OneDrive/onedrive-api-docs#364); later reports disagree, so the harsher behaviour is the
 * default and `sessionCreatesMissingParents: true` plays the other.
 */
function assertParentExists(prepared: PreparedWrite): void {
  if (prepared.target.kind === "item") return;
  const parent = prepared.context.tree.resolve(prepared.folders);
  if (!parent) throw errors.itemNotFound("The parent folder of the upload does not exist.");
}

const isoDate = z.iso.datetime({ offset: true, message: "must be an ISO 8601 date-time" });

const sessionBodySchema = z
  .object({
    item: z
      .object({
        "@microsoft.graph.conflictBehavior": conflictBehaviorSchema.optional(),
        name: z.string().min(1, { message: "must not be empty" }).optional(),
        fileSize: z.number().int().nonnegative({ message: "must be a whole number of bytes" }).optional(),
        fileSystemInfo: z
          .object({ createdDateTime: isoDate.optional(), lastModifiedDateTime: isoDate.optional() })
          .optional(),
        description: z.string().optional(),
      })
      .optional(),
    deferCommit: z.boolean({ message: "must be true or false" }).optional(),
  })
  .optional();

export async function createUploadSession(
  state: EmulatorState,
  token: TokenRecord,
  ref: DriveRef,
  address: ItemAddress,
  request: { req: IncomingMessage; url: URL; meter: BodyMeter },
): Promise<Reply> {
  const prepared = prepareWrite(state, token, ref, address);
  const parsedBody = await readJsonBody(
    request.req,
    request.meter,
    state.limits.maxJsonBodyBytes,
    sessionBodySchema,
  );
  const item = parsedBody?.item;
  if (item?.name !== undefined && item.name !== prepared.name) {
    throw errors.invalidRequest(
      `item.name: must match the name in the URL ('${prepared.name}').`,
      "nameMismatch",
    );
  }
  const behavior =
    item?.["@microsoft.graph.conflictBehavior"] ??
    queryConflictBehavior(request.url) ??
    state.limits.sessionDefaultConflictBehavior;
  const { drive } = prepared.context;
  if (prepared.existing && prepared.target.kind === "path" && behavior === "fail")
    throw errors.nameAlreadyExists();
  if (state.limits.oneSessionPerFile) assertNoLiveSession(state, drive.id, prepared);
  if (!state.limits.sessionCreatesMissingParents) assertParentExists(prepared);
  if (item?.fileSize !== undefined) assertFits(state, drive, item.fileSize, prepared.existing?.size ?? 0);
  const fileSystemInfo = item?.fileSystemInfo
    ? {
        ...(item.fileSystemInfo.createdDateTime
          ? { createdDateTime: item.fileSystemInfo.createdDateTime }
          : {}),
        ...(item.fileSystemInfo.lastModifiedDateTime
          ? { lastModifiedDateTime: item.fileSystemInfo.lastModifiedDateTime }
          : {}),
      }
    : undefined;
  const swept = await state.sessions.sweep(state.clock.now());
  if (swept > 0) state.log.count("sessionsAbandoned", swept);
  const session = state.sessions.create({
    driveId: drive.id,
    folders: prepared.folders,
    name: prepared.name,
    ...(prepared.target.kind === "item" ? { targetItemId: prepared.target.item.id } : {}),
    conflictBehavior: behavior,
    deferCommit: parsedBody?.deferCommit ?? false,
    ...(fileSystemInfo ? { fileSystemInfo } : {}),
    blob: await state.content.create(),
    createdAt: state.clock.now(),
    ...(item?.fileSize !== undefined && item.fileSize > 0 ? { declaredSize: item.fileSize } : {}),
  });
  state.log.count("sessionsCreated");
  return json(200, {
    "@odata.context": `${graphBaseFor(state, request.url)}/$metadata#microsoft.graph.uploadSession`,
    uploadUrl: state.uploadUrlOf(session.id, session.secret, uploadOriginFor(state, request.url, drive)),
    expirationDateTime: new Date(session.expiresAt).toISOString(),
    nextExpectedRanges: ["0-"],
  });
}
