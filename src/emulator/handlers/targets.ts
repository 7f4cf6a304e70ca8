/** Resolving an item address (root or id, optional path) inside a drive the token may reach. */

import { resolveDrive } from "../access.js";
import type { DriveRecord, TokenRecord } from "../directory.js";
import { errors } from "../errors.js";
import type { DriveRef, ItemAddress } from "../graphRouter.js";
import type { DriveTree, ItemRecord } from "../itemTree.js";
import type { EmulatorState } from "../state.js";

export interface DriveContext {
  readonly drive: DriveRecord;
  readonly tree: DriveTree;
}

export function driveContext(state: EmulatorState, token: TokenRecord, ref: DriveRef): DriveContext {
  const drive = resolveDrive(state, token, ref);
  return { drive, tree: state.tree(drive) };
}

function baseItem(tree: DriveTree, address: ItemAddress): ItemRecord {
  if (address.base.kind === "root") return tree.root;
  const item = tree.byItemId(address.base.id);
  if (!item) throw errors.itemNotFound("The resource could not be found.");
  return item;
}

/** The item an address designates; 404 itemNotFound when it does not exist. */
export function existingItem(tree: DriveTree, address: ItemAddress): ItemRecord {
  const base = baseItem(tree, address);
  const item = address.path ? tree.resolve(address.path, base) : base;
  if (!item) throw errors.itemNotFound("The resource could not be found.");
  return item;
}

/** Where a file write goes: a path (folders + leaf name, folders may not exist yet) or an existing file by id. */
export type WriteTarget =
  | { readonly kind: "path"; readonly folders: readonly string[]; readonly name: string }
  | { readonly kind: "item"; readonly item: ItemRecord };

export function writeTarget(tree: DriveTree, address: ItemAddress): WriteTarget {
  const base = baseItem(tree, address);
  if (!address.path || address.path.length === 0) {
    if (base.kind !== "file")
      throw errors.invalidRequest("Uploads need a file name: address the item by path.");
    return { kind: "item", item: base };
  }
  if (base.kind === "file") throw errors.invalidRequest("A path can only follow a folder.");
  const names = [...tree.pathOf(base), ...address.path];
  const name = names.pop();
  if (name === undefined) throw errors.invalidRequest("Uploads need a file name.");
  return { kind: "path", folders: names, name };
}
