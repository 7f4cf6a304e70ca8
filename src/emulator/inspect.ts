/**
 * The in-process inspection API for tests: items and their bytes, the request log, counters, sessions, and
 * putItem ("someone else changed the file"). Session summaries never include the upload URL or its secret.
 */
import { QuickXorHash } from "../core/shared/quickXorHash.js";
import { type DriveItemJson, driveItemJson } from "./driveItemJson.js";
import { errors } from "./errors.js";
import type { ItemRecord } from "./itemTree.js";
import type { LoggedRequest } from "./requestLog.js";
import { type SessionSummary, summarise } from "./sessions.js";
import type { EmulatorState } from "./state.js";

export interface ItemSummary {
  readonly driveId: string;
  readonly id: string;
  /** Decoded path from the drive root, e.g. `/folder/file.bin`. */
  readonly path: string;
  readonly name: string;
  readonly kind: "folder" | "file";
  readonly size: number;
  readonly eTag: string;
  /** The hash of the stored bytes, even while the item's JSON does not show it yet (field profile). */
  readonly quickXorHash?: string;
}

export interface EmulatorInspector {
  items(driveId?: string): ItemSummary[];
  readItem(driveId: string, path: string): Buffer | undefined;
  /** The driveItem JSON as a Graph client would see it now (hashes hidden per the profile). */
  item(driveId: string, path: string): DriveItemJson | undefined;
  requestLog(): LoggedRequest[];
  clearLog(): void;
  counters(): Record<string, number>;
  sessions(): SessionSummary[];
  putItem(driveId: string, path: string, bytes: Buffer): DriveItemJson;
  /** "The service changed the file's metadata": a new eTag, same content and cTag. */
  touchMetadata(driveId: string, path: string): DriveItemJson;
}

function splitPath(path: string): string[] {
  return path.split("/").filter((s) => s !== "");
}

function find(state: EmulatorState, driveId: string, path: string): ItemRecord | undefined {
  return state.trees.get(driveId)?.resolve(splitPath(path));
}

export function createInspector(state: EmulatorState): EmulatorInspector {
  const driveOf = (driveId: string) => {
    const drive = state.directory.drives.get(driveId);
    if (!drive) throw errors.itemNotFound(`No drive with id ${driveId} in the emulator seed.`);
    return drive;
  };
  return {
    items(driveId) {
      const out: ItemSummary[] = [];
      for (const [id, tree] of state.trees) {
        if (driveId !== undefined && id !== driveId) continue;
        for (const item of tree.all()) {
          const json = driveItemJson(item, tree, driveOf(id));
          out.push({
            driveId: id,
            id: item.id,
            path: `/${tree.pathOf(item).join("/")}`,
            name: item.name,
            kind: item.kind === "file" ? "file" : "folder",
            size: json.size,
            eTag: json.eTag,
            ...(item.quickXorHash ? { quickXorHash: item.quickXorHash } : {}),
          });
        }
      }
      return out;
    },
    readItem(driveId, path) {
      const item = find(state, driveId, path);
      if (item?.kind !== "file" || !item.content) return undefined;
      return item.content.read(0, item.size);
    },
    item(driveId, path) {
      const tree = state.trees.get(driveId);
      const item = find(state, driveId, path);
      return tree && item ? state.itemJson(item, driveOf(driveId)) : undefined;
    },
    requestLog: () => state.log.list(),
    clearLog: () => state.log.clear(),
    counters: () => state.log.snapshot(),
    sessions: () => state.sessions.all().map((s) => summarise(s, state.limits.nextExpectedRangesStyle)),
    putItem(driveId, path, bytes) {
      const drive = driveOf(driveId);
      const tree = state.tree(drive);
      const names = splitPath(path);
      const name = names.pop();
      if (name === undefined)
        throw errors.invalidRequest("putItem needs a file path, e.g. /folder/file.bin.");
      const parent = tree.ensureFolders(names);
      const content = {
        blob: state.content.createFrom(bytes),
        size: bytes.length,
        quickXorHash: new QuickXorHash().update(bytes).digest(),
      };
      const item = tree.putFile(parent, name, content, parent.children.get(name.toLowerCase()));
      // Durable mode: written down now rather than at the next request (a failure resurfaces on that request).
      state.durability?.flush().catch(() => undefined);
      return state.itemJson(item, drive);
    },
    touchMetadata(driveId, path) {
      const drive = driveOf(driveId);
      const tree = state.tree(drive);
      const item = find(state, driveId, path);
      if (item?.kind !== "file") throw errors.itemNotFound(`No file at ${path} in drive ${driveId}.`);
      tree.touchMetadata(item);
      state.durability?.flush().catch(() => undefined);
      return state.itemJson(item, drive);
    },
  };
}
