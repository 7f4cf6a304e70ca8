/** The Graph host: authenticate, then dispatch a routed request to its handler. */
import type { IncomingMessage } from "node:http";
import { authenticate } from "./access.js";
import { errors, GraphError } from "./errors.js";
import type { GraphRoute } from "./graphRouter.js";
import { getDrive, getMe, getSite, listSiteDrives } from "./handlers/directoryRoutes.js";
import {
  createFolder,
  deleteItem,
  downloadContent,
  getItem,
  listChildren,
  updateItem,
} from "./handlers/itemRoutes.js";
import { deletePermission, invite, listPermissions } from "./handlers/permissionRoutes.js";
import { commitFromUploadSession } from "./handlers/sourceUrlCommit.js";
import { createUploadSession, simpleUpload } from "./handlers/uploadRoutes.js";
import type { BodyMeter, Reply } from "./http.js";
import type { BodyFault } from "./receiveBody.js";
import type { EmulatorState } from "./state.js";

export interface GraphRequest {
  readonly req: IncomingMessage;
  readonly url: URL;
  readonly routed: GraphRoute;
  readonly meter: BodyMeter;
  readonly bodyFault?: BodyFault;
}

export async function handleGraphRequest(state: EmulatorState, request: GraphRequest): Promise<Reply> {
  const token = authenticate(state, request.req);
  const { route, target } = request.routed;
  if (!target) {
    throw new GraphError(
      400,
      "BadRequest",
      `Resource not found for the segment in '${request.url.pathname}'.`,
    );
  }
  switch (route) {
    case "getMe":
      return getMe(token);
    case "getSite":
    case "getSiteByPath":
      if (target.kind === "site") return getSite(state, token, target.site);
      break;
    case "listSiteDrives":
      if (target.kind === "siteDrives") return listSiteDrives(state, token, target.site, request.url);
      break;
    case "getDrive":
    case "getMeDrive":
    case "getUserDrive":
    case "getSiteDrive":
      if (target.kind === "drive") return getDrive(state, token, target.drive);
      break;
    default:
      break;
  }
  if (target.kind !== "item") throw errors.methodNotAllowed();
  const { drive, item } = target;
  switch (route) {
    case "getRoot":
    case "getItem":
      return getItem(state, token, drive, item);
    case "listChildren":
      return listChildren(state, token, drive, item, request.url);
    case "createFolder":
      return createFolder(state, token, drive, item, request.req, request.meter);
    case "deleteItem":
      return deleteItem(state, token, drive, item);
    case "updateItem":
      return updateItem(state, token, drive, item, request.req, request.meter);
    case "downloadContent":
      return downloadContent(state, token, drive, item);
    case "simpleUpload":
      return simpleUpload(state, token, drive, item, {
        req: request.req,
        url: request.url,
        meter: request.meter,
        ...(request.bodyFault ? { bodyFault: request.bodyFault } : {}),
      });
    case "createUploadSession":
      return createUploadSession(state, token, drive, item, request);
    case "commitFromUploadSession":
      return commitFromUploadSession(state, token, drive, item, request);
    case "listPermissions":
      return listPermissions(state, token, drive, item, request.url);
    case "invite":
      return invite(state, token, drive, item, request);
    case "deletePermission":
      return deletePermission(state, token, drive, item);
    default:
      throw errors.methodNotAllowed();
  }
}
