/** The JSON Graph returns for drives and driveItems, built from the emulator's records. */
import type { DriveRecord } from "./directory.js";
import type { DriveTree, ItemRecord } from "./itemTree.js";

export interface DriveItemJson {
  readonly id: string;
  readonly name: string;
  readonly description?: string;
  readonly size: number;
  readonly eTag: string;
  readonly cTag: string;
  readonly webUrl: string;
  readonly createdDateTime: string;
  readonly lastModifiedDateTime: string;
  readonly parentReference: { driveId: string; driveType: string; id?: string; path?: string };
  readonly fileSystemInfo: { createdDateTime: string; lastModifiedDateTime: string };
  readonly file?: { mimeType: string; hashes: { quickXorHash?: string } };
  readonly folder?: { childCount: number };
  readonly root?: Record<string, never>;
}

const MIME_TYPES: Readonly<Record<string, string>> = {
  txt: "text/plain",
  csv: "text/csv",
  json: "application/json",
  pdf: "application/pdf",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  zip: "application/zip",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
};

function mimeTypeOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return (dot >= 0 ? MIME_TYPES[name.slice(dot + 1).toLowerCase()] : undefined) ?? "application/octet-stream";
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function encodePath(names: readonly string[]): string {
  return names.map((n) => encodeURIComponent(n)).join("/");
}

function treeSize(item: ItemRecord): number {
  let total = item.size;
  for (const child of item.children.values()) total += treeSize(child);
  return total;
}

/** How the service shows hashes right now (field profile: late, or never for 0-byte files). */
export interface HashView {
  readonly now: number;
  /** OneDrive for Business leaves 0-byte files without a hash (OneDrive/onedrive-api-docs#1704). */
  readonly hideZeroByteHash: boolean;
}

/** The hash as the service shows it: absent (`hashes: {}`, the shape #1704 reports) while not computed yet. */
function shownHash(item: ItemRecord, view: HashView | undefined): string | undefined {
  if (item.quickXorHash === undefined) return undefined;
  if (view === undefined) return item.quickXorHash;
  if (item.hashVisibleAt !== undefined && view.now < item.hashVisibleAt) return undefined;
  if (view.hideZeroByteHash && item.size === 0) return undefined;
  return item.quickXorHash;
}

export function driveItemJson(
  item: ItemRecord,
  tree: DriveTree,
  drive: DriveRecord,
  view?: HashView,
): DriveItemJson {
  const hash = shownHash(item, view);
  const names = tree.pathOf(item);
  const parent = item.parent;
  const created = iso(item.createdAt);
  const modified = iso(item.modifiedAt);
  return {
    id: item.id,
    name: item.kind === "root" ? "root" : item.name,
    ...(item.description !== undefined ? { description: item.description } : {}),
    size: item.kind === "file" ? item.size : treeSize(item),
    eTag: `"{${item.guid}},${item.eTagVersion}"`,
    cTag: `"c:{${item.guid}},${item.cTagVersion}"`,
    webUrl: names.length === 0 ? drive.webUrl : `${drive.webUrl}/${encodePath(names)}`,
    createdDateTime: created,
    lastModifiedDateTime: modified,
    parentReference: parent
      ? {
          driveId: drive.id,
          driveType: drive.driveType,
          id: parent.id,
          path: `/drives/${drive.id}/root:${parent.parent ? `/${encodePath(tree.pathOf(parent))}` : ""}`,
        }
      : { driveId: drive.id, driveType: drive.driveType },
    fileSystemInfo: {
      createdDateTime: item.fileSystemInfo?.createdDateTime ?? created,
      lastModifiedDateTime: item.fileSystemInfo?.lastModifiedDateTime ?? modified,
    },
    ...(item.kind === "file"
      ? {
          file: { mimeType: mimeTypeOf(item.name), hashes: hash === undefined ? {} : { quickXorHash: hash } },
        }
      : { folder: { childCount: item.children.size } }),
    ...(item.kind === "root" ? { root: {} } : {}),
  };
}

export function driveJson(drive: DriveRecord, tree: DriveTree): unknown {
  const used = tree.usedBytes;
  const remaining = Math.max(0, drive.quotaBytes - used);
  return {
    id: drive.id,
    driveType: drive.driveType,
    name: drive.name,
    webUrl: drive.webUrl,
    createdDateTime: iso(tree.root.createdAt),
    lastModifiedDateTime: iso(tree.root.modifiedAt),
    owner: drive.owner
      ? {
          user: {
            id: drive.owner.id,
            displayName: drive.owner.displayName,
            email: drive.owner.userPrincipalName,
          },
        }
      : { group: { displayName: drive.site?.displayName ?? drive.name } },
    quota: {
      deleted: 0,
      remaining,
      total: drive.quotaBytes,
      used,
      state: remaining === 0 ? "exceeded" : used / drive.quotaBytes > 0.9 ? "critical" : "normal",
    },
  };
}
