/**
 * Turns received bytes into a driveItem: conflict behaviour, quota, missing parent folders, QuickXorHash over
 * the stored bytes, and (optionally) SharePoint's rewriting of Office files.
 */
import type { ConflictBehavior } from "../core/job/job.js";
import { QuickXorHash } from "../core/shared/quickXorHash.js";
import { type ContentBlob, readInPieces } from "./content/contentStore.js";
import type { DriveRecord } from "./directory.js";
import { errors } from "./errors.js";
import type { FileSystemInfo, ItemRecord } from "./itemTree.js";
import type { EmulatorState } from "./state.js";

const OFFICE_EXTENSIONS = /\.(docx|xlsx|pptx)$/i;
/**
 * What "property promotion" adds. SharePoint rewrites the package; appending bytes is enough for what matters to
 * a client: the stored size and hash differ from what was sent (docs/graph-protocol.md "Integrity").
 */
const PROMOTED_PROPERTIES = Buffer.from("<!-- graph-mirror emulator: SharePoint property promotion -->");

export interface FileToCommit {
  readonly drive: DriveRecord;
  readonly folders: readonly string[];
  readonly name: string;
  readonly targetItemId?: string;
  readonly conflictBehavior: ConflictBehavior;
  readonly blob: ContentBlob;
  readonly size: number;
  /** The hash of the bytes as received, when it was computed while they streamed in. */
  readonly streamedHash?: string;
  readonly fileSystemInfo?: FileSystemInfo;
}

/** The item a path or id designates now, if any (for conflict checks before and after receiving bytes). */
export function existingTarget(
  state: EmulatorState,
  file: Pick<FileToCommit, "drive" | "folders" | "name" | "targetItemId">,
): ItemRecord | undefined {
  const tree = state.tree(file.drive);
  if (file.targetItemId !== undefined) {
    const item = tree.byItemId(file.targetItemId);
    if (!item) throw errors.itemNotFound("The item being replaced no longer exists.");
    return item;
  }
  return tree.resolve([...file.folders, file.name]);
}

/** 507 when `size` more bytes (replacing `replacedSize`) do not fit the drive's quota. */
export function assertFits(
  state: EmulatorState,
  drive: DriveRecord,
  size: number,
  replacedSize: number,
): void {
  const tree = state.tree(drive);
  if (tree.usedBytes - replacedSize + size > drive.quotaBytes) throw errors.quotaLimitReached();
}

function hashOf(blob: ContentBlob, size: number): string {
  const hash = new QuickXorHash();
  for (const piece of readInPieces(blob, size)) hash.update(piece);
  return hash.digest();
}

export async function commitFile(
  state: EmulatorState,
  file: FileToCommit,
): Promise<{ item: ItemRecord; created: boolean }> {
  const tree = state.tree(file.drive);
  const existing = existingTarget(state, file);
  if (existing && existing.kind !== "file")
    throw errors.nameAlreadyExists("A folder with this name already exists.");
  let name = file.name;
  let replace = existing;
  if (existing && file.targetItemId === undefined) {
    if (file.conflictBehavior === "fail") throw errors.nameAlreadyExists();
    if (file.conflictBehavior === "rename") {
      replace = undefined;
      const parent = existing.parent ?? tree.root;
      name = tree.freeName(parent, file.name);
    }
  }
  let size = file.size;
  let hash = file.streamedHash;
  if (state.limits.serviceModifiesOfficeFiles && OFFICE_EXTENSIONS.test(name)) {
    const writer = file.blob.writer(size);
    await writer.write(PROMOTED_PROPERTIES);
    await writer.commit();
    size += PROMOTED_PROPERTIES.length;
    hash = undefined;
  }
  assertFits(state, file.drive, size, replace?.size ?? 0);
  await file.blob.seal();
  const parent = replace?.parent ?? tree.ensureFolders(file.folders);
  const { hashDelayMs } = state.limits;
  const content = {
    blob: file.blob,
    size,
    quickXorHash: hash ?? hashOf(file.blob, size),
    // Field profile: the service answers before it has computed the hash (limits.ts `hashDelayMs`).
    ...(hashDelayMs > 0 ? { hashVisibleAt: state.clock.now() + hashDelayMs } : {}),
    ...(file.fileSystemInfo ? { fileSystemInfo: file.fileSystemInfo } : {}),
  };
  const item = tree.putFile(parent, name, content, replace);
  state.log.count(replace ? "filesReplaced" : "filesCreated");
  return { item, created: !replace };
}
