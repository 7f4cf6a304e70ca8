/**
 * Lists a drive folder through the project's Graph HTTP layer (deadlines, token only to the Graph host, one
 * refresh after a 401, GraphFailure with request-id): `GET .../children` over every `@odata.nextLink` page,
 * recursively when asked. A next link that leaves the Graph host is refused rather than followed with the token.
 */
import { GraphFailure } from "../core/ports/graphFailure.js";
import { encodePath, itemByPathUrl } from "../graph/addressing.js";
import { isRecord } from "../graph/driveItem.js";
import type { GraphHttp } from "../graph/http.js";

export interface RemoteEntry {
  /** Relative to the listed folder, `/`-separated, no leading `/` (the file's own name when a file was listed). */
  readonly path: string;
  readonly name: string;
  readonly id: string;
  readonly isFolder: boolean;
  /** Bytes; for a folder, what Graph reports as the total of its contents. */
  readonly size: number;
  /** ISO 8601, the file system's last-modified time when Graph reports it (what the uploader set), else the item's. */
  readonly modified?: string;
  readonly quickXorHash?: string;
}

export interface ListOptions {
  readonly recursive: boolean;
  readonly signal?: AbortSignal;
}

/** Children per page asked for (Graph's maximum for children is larger; the service may send fewer). */
const PAGE_SIZE = 1000;
/** A folder with more pages than this is a loop in the next links, not a folder. */
const MAX_PAGES = 10_000;

/**
 * The entries under `folderPath` (`/` for the drive's root). When `folderPath` names a file, that one file,
 * as `rclone lsl` does. Throws GraphFailure 404 when nothing is there.
 */
export async function listRemote(
  http: GraphHttp,
  driveId: string,
  folderPath: string,
  options: ListOptions,
): Promise<RemoteEntry[]> {
  const top = await getItem(http, driveId, folderPath, options.signal);
  if (!top.isFolder) return [{ ...top, path: top.name }];
  const entries: RemoteEntry[] = [];
  const walk = async (folder: string, relative: string): Promise<void> => {
    for (const child of await listChildren(http, driveId, folder, options.signal)) {
      const childRelative = relative ? `${relative}/${child.name}` : child.name;
      entries.push({ ...child, path: childRelative });
      if (child.isFolder && options.recursive)
        await walk(`${folder.replace(/\/+$/, "")}/${child.name}`, childRelative);
    }
  };
  await walk(folderPath, "");
  return entries;
}

async function getItem(http: GraphHttp, driveId: string, path: string, signal?: AbortSignal) {
  const url = isRoot(path)
    ? `${http.baseUrl}/drives/${encodeURIComponent(driveId)}/root`
    : itemByPathUrl(http.baseUrl, driveId, path);
  const response = await http.send({ method: "GET", url, route: "getItem", host: "graph" }, signal);
  return entryOf(response.json, "getItem");
}

async function listChildren(
  http: GraphHttp,
  driveId: string,
  folder: string,
  signal?: AbortSignal,
): Promise<RemoteEntry[]> {
  const drive = `${http.baseUrl}/drives/${encodeURIComponent(driveId)}`;
  const first = isRoot(folder) ? `${drive}/root/children` : `${drive}/root:/${encodePath(folder)}:/children`;
  const children: RemoteEntry[] = [];
  let url: string | undefined = `${first}?$top=${PAGE_SIZE}`;
  for (let page = 0; url; page++) {
    if (page >= MAX_PAGES || !http.isGraphUrl(url))
      throw malformed("listChildren (a next link left the Graph host or looped)");
    const body: unknown = (
      await http.send({ method: "GET", url, route: "listChildren", host: "graph" }, signal)
    ).json;
    const value = isRecord(body) && Array.isArray(body.value) ? body.value : undefined;
    if (!value) throw malformed("listChildren");
    for (const item of value) children.push(entryOf(item, "listChildren"));
    const next: unknown = isRecord(body) ? body["@odata.nextLink"] : undefined;
    url = typeof next === "string" ? next : undefined;
  }
  return children;
}

function entryOf(body: unknown, route: string): RemoteEntry {
  if (!isRecord(body) || typeof body.id !== "string" || typeof body.name !== "string") throw malformed(route);
  const file = isRecord(body.file) ? body.file : undefined;
  const hashes = file && isRecord(file.hashes) ? file.hashes : undefined;
  const quickXorHash = hashes && typeof hashes.quickXorHash === "string" ? hashes.quickXorHash : undefined;
  const fsInfo = isRecord(body.fileSystemInfo) ? body.fileSystemInfo : undefined;
  const modified =
    (fsInfo && typeof fsInfo.lastModifiedDateTime === "string" ? fsInfo.lastModifiedDateTime : undefined) ??
    (typeof body.lastModifiedDateTime === "string" ? body.lastModifiedDateTime : undefined);
  return {
    path: body.name,
    name: body.name,
    id: body.id,
    isFolder: isRecord(body.folder),
    size: typeof body.size === "number" ? body.size : 0,
    ...(modified ? { modified } : {}),
    ...(quickXorHash ? { quickXorHash } : {}),
  };
}

function isRoot(path: string): boolean {
  return path.split("/").every((segment) => segment === "");
}

function malformed(route: string): GraphFailure {
  return new GraphFailure({ kind: "http", status: 502, message: `${route}: unexpected response shape` });
}
