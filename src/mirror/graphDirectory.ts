/**
 * DriveDirectory on the engine's Graph HTTP layer (src/graph/http.ts: deadlines, token only to the Graph host,
 * request-id kept, GraphFailure on errors) and its resolver (src/graph/resolve.ts: site by URL, never site
 * search, so Sites.Selected works; every page of `/drives`).
 */

import type { Destination } from "../core/job/job.js";
import type { ResolvedDrive } from "../core/ports/graph.js";
import { GraphFailure } from "../core/ports/graphFailure.js";
import type { DriveDirectory, FolderSharing, RemoteItem } from "../core/ports/mirror.js";
import { encodePath, itemByPathUrl } from "../graph/addressing.js";
import { isRecord } from "../graph/driveItem.js";
import type { GraphHttp } from "../graph/http.js";
import { resolveDrive } from "../graph/resolve.js";
import { invite, itemIdAt, listPermissions } from "../permissions/graphPermissions.js";

/**
 * Resolves when the token may share (src/auth/sharingGate.ts `assertSharingAllowed`), throws otherwise: share
 * rules are then refused before any request, as `permissions grant` is (docs/permissions.md).
 */
export type SharingGate = (signal: AbortSignal) => Promise<void>;

export class GraphDriveDirectory implements DriveDirectory {
  readonly sharing: FolderSharing;

  constructor(
    private readonly http: GraphHttp,
    sharingGate: SharingGate = async () => {},
  ) {
    this.sharing = graphFolderSharing(http, sharingGate);
  }

  resolveDrive(destination: Destination, signal: AbortSignal): Promise<ResolvedDrive> {
    return resolveDrive(this.http, destination, signal);
  }

  async getItemByPath(driveId: string, path: string, signal: AbortSignal): Promise<RemoteItem | undefined> {
    try {
      const response = await this.http.send(
        {
          method: "GET",
          url: itemByPathUrl(this.http.baseUrl, driveId, path),
          route: "getItem",
          host: "graph",
        },
        signal,
      );
      return remoteItem(response.json, "getItem");
    } catch (err: unknown) {
      if (err instanceof GraphFailure && err.status === 404) return undefined;
      throw err;
    }
  }

  async createFolder(
    driveId: string,
    parentPath: string,
    name: string,
    signal: AbortSignal,
  ): Promise<RemoteItem> {
    const drive = `${this.http.baseUrl}/drives/${encodeURIComponent(driveId)}`;
    const parent = encodePath(parentPath);
    const url = parent ? `${drive}/root:/${parent}:/children` : `${drive}/root/children`;
    // `fail`: a folder created meanwhile by someone else answers 409, which the caller treats as "exists".
    const body = JSON.stringify({ name, folder: {}, "@microsoft.graph.conflictBehavior": "fail" });
    const response = await this.http.send(
      {
        method: "POST",
        url,
        route: "createFolder",
        host: "graph",
        body,
        headers: { "Content-Type": "application/json" },
      },
      signal,
    );
    return remoteItem(response.json, "createFolder");
  }

  async deleteItem(
    driveId: string,
    itemId: string,
    ifMatch: string | undefined,
    signal: AbortSignal,
  ): Promise<void> {
    await this.http.send(
      {
        method: "DELETE",
        url: `${this.http.baseUrl}/drives/${encodeURIComponent(driveId)}/items/${encodeURIComponent(itemId)}`,
        route: "deleteItem",
        host: "graph",
        // Graph accepts an eTag or a cTag here (https://learn.microsoft.com/en-us/graph/api/driveitem-delete,
        // "if-match": "the eTag (or cTag) provided"); the planner passes the cTag when it knows it.
        ...(ifMatch ? { headers: { "If-Match": ifMatch } } : {}),
      },
      signal,
    );
  }
}

function remoteItem(body: unknown, route: string): RemoteItem {
  if (!isRecord(body) || typeof body.id !== "string") {
    throw new GraphFailure({ kind: "http", status: 502, message: `${route}: unexpected response shape` });
  }
  const file = isRecord(body.file) ? body.file : undefined;
  const hashes = file && isRecord(file.hashes) ? file.hashes : undefined;
  const quickXorHash = hashes && typeof hashes.quickXorHash === "string" ? hashes.quickXorHash : undefined;
  return {
    id: body.id,
    name: typeof body.name === "string" ? body.name : "",
    isFolder: isRecord(body.folder),
    ...(typeof body.eTag === "string" ? { eTag: body.eTag } : {}),
    ...(typeof body.cTag === "string" ? { cTag: body.cTag } : {}),
    ...(quickXorHash ? { quickXorHash } : {}),
    ...(typeof body.size === "number" ? { size: body.size } : {}),
    ...(typeof body.webUrl === "string" ? { webUrl: body.webUrl } : {}),
  };
}

/** The mirror's `share` rules on Graph's permissions API (src/permissions/graphPermissions.ts). */
function graphFolderSharing(http: GraphHttp, gate: SharingGate): FolderSharing {
  return {
    async userGrants(driveId, folderPath, signal) {
      // Every rule of a destination starts here, so a token that cannot share sends nothing.
      await gate(signal);
      let itemId: string;
      try {
        itemId = await itemIdAt(http, driveId, folderPath, signal);
      } catch (err: unknown) {
        if (err instanceof GraphFailure && err.status === 404) return undefined;
        throw err;
      }
      const entries = await listPermissions(http, driveId, itemId, signal);
      const grants = entries.flatMap((e) =>
        !e.inherited && e.kind === "user" && e.email ? [{ email: e.email, roles: e.roles }] : [],
      );
      return { itemId, grants };
    },
    async invite(driveId, itemId, email, role, signal) {
      await invite(http, driveId, itemId, { email, role, sendInvitation: false }, signal);
    },
  };
}
