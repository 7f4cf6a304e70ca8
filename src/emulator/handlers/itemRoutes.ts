/** Reading, listing, creating folders and deleting items. */

import type { IncomingMessage } from "node:http";
import { assertCanWrite } from "../access.js";
import { readInPieces } from "../content/contentStore.js";
import type { TokenRecord } from "../directory.js";
import { errors, GraphError } from "../errors.js";
import type { DriveRef, ItemAddress } from "../graphRouter.js";
import { type BodyMeter, empty, json, type Reply, readJson } from "../http.js";
import { assertValidPath } from "../names.js";
import { graphBaseFor } from "../publicNames.js";
import type { EmulatorState } from "../state.js";
import { page } from "./paging.js";
import { driveContext, existingItem } from "./targets.js";

export function getItem(
  state: EmulatorState,
  token: TokenRecord,
  ref: DriveRef,
  address: ItemAddress,
): Reply {
  const { drive, tree } = driveContext(state, token, ref);
  return json(200, state.itemJson(existingItem(tree, address), drive));
}

export function listChildren(
  state: EmulatorState,
  token: TokenRecord,
  ref: DriveRef,
  address: ItemAddress,
  url: URL,
): Reply {
  const { drive, tree } = driveContext(state, token, ref);
  const folder = existingItem(tree, address);
  if (folder.kind === "file") throw errors.invalidRequest("Only folders have children.");
  const children = [...folder.children.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((child) => state.itemJson(child, drive));
  return page(children, url, state.limits.childrenPageSize, graphBaseFor(state, url));
}

const CONFLICT_BEHAVIORS = ["fail", "replace", "rename"] as const;

export async function createFolder(
  state: EmulatorState,
  token: TokenRecord,
  ref: DriveRef,
  address: ItemAddress,
  req: IncomingMessage,
  meter: BodyMeter,
): Promise<Reply> {
  const { drive, tree } = driveContext(state, token, ref);
  assertCanWrite(token);
  const parent = existingItem(tree, address);
  if (parent.kind === "file") throw errors.invalidRequest("Folders can only be created inside folders.");
  const body = await readJson(req, meter, state.limits.maxJsonBodyBytes);
  const fields = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  const name = fields.name;
  if (typeof name !== "string") throw errors.invalidRequest("name: must be a string.");
  if (typeof fields.folder !== "object" || fields.folder === null) {
    throw errors.invalidRequest("folder: the folder facet is required to create a folder.");
  }
  const behavior = fields["@microsoft.graph.conflictBehavior"] ?? "fail";
  if (!CONFLICT_BEHAVIORS.some((b) => b === behavior)) {
    throw errors.invalidRequest("@microsoft.graph.conflictBehavior: must be fail, replace or rename.");
  }
  assertValidPath(drive.serverRelativeRoot, tree.pathOf(parent), name, state.limits.maxPathLength, true);
  const existing = parent.children.get(name.toLowerCase());
  let finalName = name;
  if (existing) {
    if (behavior === "fail") throw errors.nameAlreadyExists();
    if (behavior === "rename") finalName = tree.freeName(parent, name);
    else tree.remove(existing);
  }
  const folder = tree.createFolder(parent, finalName);
  return json(201, state.itemJson(folder, drive));
}

export function deleteItem(
  state: EmulatorState,
  token: TokenRecord,
  ref: DriveRef,
  address: ItemAddress,
): Reply {
  const { tree } = driveContext(state, token, ref);
  assertCanWrite(token);
  const item = existingItem(tree, address);
  if (!item.parent) throw new GraphError(403, "accessDenied", "The root of a drive cannot be deleted.");
  tree.remove(item);
  return empty(204);
}

/**
 * PATCH an item's metadata (Microsoft Learn, "Update DriveItem properties"). The emulator plays the
 * metadata-only part: `description` and `fileSystemInfo` (created/modified times). Renames and moves are not
 * modelled: they answer 400 naming the field rather than pretending.
 */
export async function updateItem(
  state: EmulatorState,
  token: TokenRecord,
  ref: DriveRef,
  address: ItemAddress,
  req: IncomingMessage,
  meter: BodyMeter,
): Promise<Reply> {
  const { drive, tree } = driveContext(state, token, ref);
  assertCanWrite(token);
  const item = existingItem(tree, address);
  if (!item.parent) throw errors.invalidRequest("The root of a drive cannot be updated.");
  const body = await readJson(req, meter, state.limits.maxJsonBodyBytes);
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw errors.invalidRequest("The request body must be a JSON object.");
  }
  const change: {
    description?: string;
    fileSystemInfo?: { lastModifiedDateTime?: string; createdDateTime?: string };
  } = {};
  for (const [field, value] of Object.entries(body)) {
    if (field === "description" && typeof value === "string") change.description = value;
    else if (field === "fileSystemInfo" && typeof value === "object" && value !== null) {
      change.fileSystemInfo = fileSystemInfoOf(value as Record<string, unknown>);
    } else throw errors.invalidRequest(`${field}: the emulator only updates description and fileSystemInfo.`);
  }
  tree.updateMetadata(item, change);
  return json(200, state.itemJson(item, drive));
}

function fileSystemInfoOf(value: Record<string, unknown>): {
  lastModifiedDateTime?: string;
  createdDateTime?: string;
} {
  const out: { lastModifiedDateTime?: string; createdDateTime?: string } = {};
  for (const field of ["createdDateTime", "lastModifiedDateTime"] as const) {
    const given = value[field];
    if (given === undefined) continue;
    if (typeof given !== "string" || Number.isNaN(Date.parse(given))) {
      throw errors.invalidRequest(`fileSystemInfo.${field}: must be an ISO 8601 date and time.`);
    }
    out[field] = new Date(given).toISOString().replace(/\.\d{3}Z$/, "Z");
  }
  return out;
}

export function downloadContent(
  state: EmulatorState,
  token: TokenRecord,
  ref: DriveRef,
  address: ItemAddress,
): Reply {
  const { tree } = driveContext(state, token, ref);
  const item = existingItem(tree, address);
  if (item.kind !== "file" || !item.content) throw errors.itemNotFound("Only files have content.");
  return {
    kind: "bytes",
    status: 200,
    length: item.size,
    pieces: readInPieces(item.content, item.size),
    headers: { "content-type": "application/octet-stream" },
  };
}
