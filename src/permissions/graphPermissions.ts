/**
 * The permissions API of a driveItem through the project's Graph HTTP layer (src/graph/http.ts):
 * - list: `GET /drives/{d}/items/{id}/permissions`, every `@odata.nextLink` page
 *   (https://learn.microsoft.com/graph/api/driveitem-list-permissions);
 * - invite: `POST .../invite` with `requireSignIn: true`, so only the named, signed-in user gets in
 *   (https://learn.microsoft.com/graph/api/driveitem-invite);
 * - remove: `DELETE .../permissions/{id}`, 204 (https://learn.microsoft.com/graph/api/permission-delete).
 * A next link that leaves the Graph host is refused rather than followed with the token.
 */
import { GraphFailure } from "../core/ports/graphFailure.js";
import { itemByPathUrl } from "../graph/addressing.js";
import { isRecord } from "../graph/driveItem.js";
import type { GraphHttp } from "../graph/http.js";
import { type SharingEntry, sharingEntryOf } from "./sharingEntry.js";

export type ShareRole = "read" | "write";

export interface Invitation {
  readonly email: string;
  readonly role: ShareRole;
  /** Graph e-mails the recipient a link when true; otherwise access is granted silently. */
  readonly sendInvitation: boolean;
  readonly message?: string;
}

/** A permission listing has more pages than this only when next links loop. */
const MAX_PAGES = 1000;

function itemUrl(http: GraphHttp, driveId: string, itemId: string, suffix: string): string {
  return `${http.baseUrl}/drives/${encodeURIComponent(driveId)}/items/${encodeURIComponent(itemId)}/${suffix}`;
}

function malformed(route: string): GraphFailure {
  return new GraphFailure({ kind: "http", status: 502, message: `${route}: unexpected response shape` });
}

/** The id of the item at `path` (`/` for the root); GraphFailure 404 when nothing is there. */
export async function itemIdAt(http: GraphHttp, driveId: string, path: string, signal?: AbortSignal) {
  const root = path.split("/").every((segment) => segment === "");
  const url = root
    ? `${http.baseUrl}/drives/${encodeURIComponent(driveId)}/root`
    : itemByPathUrl(http.baseUrl, driveId, path);
  const body = (await http.send({ method: "GET", url, route: "getItem", host: "graph" }, signal)).json;
  if (!isRecord(body) || typeof body.id !== "string") throw malformed("getItem");
  return body.id;
}

export async function listPermissions(
  http: GraphHttp,
  driveId: string,
  itemId: string,
  signal?: AbortSignal,
): Promise<SharingEntry[]> {
  const entries: SharingEntry[] = [];
  let url: string | undefined = itemUrl(http, driveId, itemId, "permissions");
  for (let page = 0; url; page++) {
    if (page >= MAX_PAGES || !http.isGraphUrl(url))
      throw malformed("listPermissions (a next link left the Graph host or looped)");
    const body = (await http.send({ method: "GET", url, route: "listPermissions", host: "graph" }, signal))
      .json;
    if (!isRecord(body) || !Array.isArray(body.value)) throw malformed("listPermissions");
    for (const item of body.value) {
      const entry = sharingEntryOf(item);
      if (!entry) throw malformed("listPermissions");
      entries.push(entry);
    }
    const next: unknown = body["@odata.nextLink"];
    url = typeof next === "string" ? next : undefined;
  }
  return entries;
}

/** The permissions the invitation created (or changed: inviting a user again sets the role). */
export async function invite(
  http: GraphHttp,
  driveId: string,
  itemId: string,
  invitation: Invitation,
  signal?: AbortSignal,
): Promise<SharingEntry[]> {
  const body = JSON.stringify({
    recipients: [{ email: invitation.email }],
    roles: [invitation.role],
    requireSignIn: true,
    sendInvitation: invitation.sendInvitation,
    ...(invitation.message !== undefined ? { message: invitation.message } : {}),
  });
  const response = await http.send(
    {
      method: "POST",
      url: itemUrl(http, driveId, itemId, "invite"),
      route: "invite",
      host: "graph",
      body,
      headers: { "content-type": "application/json" },
    },
    signal,
  );
  const value =
    isRecord(response.json) && Array.isArray(response.json.value) ? response.json.value : undefined;
  if (!value) throw malformed("invite");
  return value.flatMap((item) => {
    const entry = sharingEntryOf(item);
    return entry ? [entry] : [];
  });
}

export async function removePermission(
  http: GraphHttp,
  driveId: string,
  itemId: string,
  permissionId: string,
  signal?: AbortSignal,
): Promise<void> {
  await http.send(
    {
      method: "DELETE",
      url: itemUrl(http, driveId, itemId, `permissions/${encodeURIComponent(permissionId)}`),
      route: "deletePermission",
      host: "graph",
    },
    signal,
  );
}
