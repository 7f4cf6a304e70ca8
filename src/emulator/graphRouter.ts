/**
 * Parses Graph host paths (docs/graph-protocol.md "Addressing") into a target and a stable route name. Path syntax: an item
 * by path is `root:/{a}/{b}` or `items/{id}:/{a}/{b}`, optionally followed by `:` and an action
 * (`:/content`, `:/createUploadSession`, `:/children`). Every segment is percent-decoded on its own, so a name
 * may contain `#` or `%` but never a literal `/`.
 */
import { errors } from "./errors.js";
import { permissionAction, permissionRoute } from "./handlers/permissionRouting.js";
import type { ItemAddress } from "./itemAddress.js";
import type { RouteName } from "./routes.js";

export type { ItemAction, ItemAddress } from "./itemAddress.js";

export type SiteRef =
  | { readonly kind: "root" }
  | { readonly kind: "id"; readonly id: string }
  | { readonly kind: "hostname"; readonly hostname: string }
  | { readonly kind: "path"; readonly hostname: string; readonly path: string };

export type DriveRef =
  | { readonly kind: "id"; readonly driveId: string; readonly site?: SiteRef }
  | { readonly kind: "me" }
  | { readonly kind: "user"; readonly user: string }
  | { readonly kind: "site"; readonly site: SiteRef };

export type GraphTarget =
  | { readonly kind: "me" }
  | { readonly kind: "site"; readonly site: SiteRef }
  | { readonly kind: "siteDrives"; readonly site: SiteRef }
  | { readonly kind: "drive"; readonly drive: DriveRef }
  | { readonly kind: "item"; readonly drive: DriveRef; readonly item: ItemAddress };

export interface GraphRoute {
  readonly route: RouteName;
  readonly target?: GraphTarget;
}

const GRAPH_PREFIX = "/v1.0";

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw errors.invalidRequest("The request URL has a malformed percent-encoded segment.");
  }
}

function decodePath(raw: string): string[] {
  return raw
    .split("/")
    .filter((s) => s !== "")
    .map(decode);
}

/** `rest` follows the drive prefix, e.g. `/root:/a/b.txt:/content`. */
function parseDriveRest(rest: string, drive: DriveRef): GraphTarget | undefined {
  if (rest === "" || rest === "/") return { kind: "drive", drive };
  const base = /^\/(?:root|items\/([^/:]+))/.exec(rest);
  if (!base) return undefined;
  const itemBase =
    base[1] === undefined ? ({ kind: "root" } as const) : ({ kind: "id", id: decode(base[1]) } as const);
  let remainder = rest.slice(base[0].length);
  let path: string[] | undefined;
  if (remainder.startsWith(":")) {
    const end = remainder.indexOf(":", 1);
    path = decodePath(end < 0 ? remainder.slice(1) : remainder.slice(1, end));
    remainder = end < 0 ? "" : remainder.slice(end + 1);
  }
  const action = remainder.replace(/^\//, "").replace(/\/$/, "");
  const permission = permissionAction(action, decode);
  if (permission)
    return { kind: "item", drive, item: { base: itemBase, ...(path ? { path } : {}), ...permission } };
  if (action !== "" && action !== "children" && action !== "content" && action !== "createUploadSession") {
    return undefined;
  }
  return { kind: "item", drive, item: { base: itemBase, ...(path ? { path } : {}), action } };
}

function parseSite(raw: string): { site: SiteRef; rest: string } | undefined {
  const colon = raw.indexOf(":");
  const firstSlash = raw.indexOf("/");
  // `{hostname}:/{path}` only when the colon ends the first segment; later colons belong to item paths.
  if (colon >= 0 && (firstSlash < 0 || colon < firstSlash)) {
    const hostname = decode(raw.slice(0, colon));
    const remainder = raw.slice(colon + 1);
    const next = remainder.indexOf(":");
    const path = `/${decodePath(next < 0 ? remainder : remainder.slice(0, next)).join("/")}`;
    return { site: { kind: "path", hostname, path }, rest: next < 0 ? "" : remainder.slice(next + 1) };
  }
  const key = decode(firstSlash < 0 ? raw : raw.slice(0, firstSlash));
  const rest = firstSlash < 0 ? "" : raw.slice(firstSlash);
  if (key === "") return undefined;
  const site: SiteRef =
    key === "root"
      ? { kind: "root" }
      : key.includes(",")
        ? { kind: "id", id: key }
        : { kind: "hostname", hostname: key };
  return { site, rest };
}

function targetOf(pathname: string): GraphTarget | undefined {
  if (!pathname.startsWith(`${GRAPH_PREFIX}/`)) return undefined;
  const path = pathname.slice(GRAPH_PREFIX.length);
  if (path === "/me" || path === "/me/") return { kind: "me" };
  if (path.startsWith("/me/drive")) return parseDriveRest(path.slice("/me/drive".length), { kind: "me" });
  const user = /^\/users\/([^/]+)\/drive(.*)$/.exec(path);
  if (user?.[1] !== undefined) return parseDriveRest(user[2] ?? "", { kind: "user", user: decode(user[1]) });
  const drive = /^\/drives\/([^/]+)(.*)$/.exec(path);
  if (drive?.[1] !== undefined)
    return parseDriveRest(drive[2] ?? "", { kind: "id", driveId: decode(drive[1]) });
  if (path.startsWith("/sites/")) {
    const parsed = parseSite(path.slice("/sites/".length));
    if (!parsed) return undefined;
    const { site, rest } = parsed;
    if (rest === "" || rest === "/") return { kind: "site", site };
    if (rest === "/drives" || rest === "/drives/") return { kind: "siteDrives", site };
    if (rest.startsWith("/drive/") || rest === "/drive") {
      return parseDriveRest(rest.slice("/drive".length), { kind: "site", site });
    }
    const byId = /^\/drives\/([^/]+)(.*)$/.exec(rest);
    if (byId?.[1] !== undefined)
      return parseDriveRest(byId[2] ?? "", { kind: "id", driveId: decode(byId[1]), site });
  }
  return undefined;
}

/** `.../root` itself (not a path below it). */
function isRoot(item: ItemAddress): boolean {
  return item.base.kind === "root" && (item.path === undefined || item.path.length === 0);
}

function routeOf(method: string, target: GraphTarget): RouteName {
  switch (target.kind) {
    case "me":
      return method === "GET" ? "getMe" : "unknown";
    case "site":
      if (method !== "GET") return "unknown";
      return target.site.kind === "path" ? "getSiteByPath" : "getSite";
    case "siteDrives":
      return method === "GET" ? "listSiteDrives" : "unknown";
    case "drive":
      if (method !== "GET") return "unknown";
      switch (target.drive.kind) {
        case "me":
          return "getMeDrive";
        case "user":
          return "getUserDrive";
        case "site":
          return "getSiteDrive";
        case "id":
          return "getDrive";
      }
      return "unknown";
    case "item": {
      const { item } = target;
      if (item.action === "children")
        return method === "GET" ? "listChildren" : method === "POST" ? "createFolder" : "unknown";
      if (item.action === "content")
        return method === "PUT" ? "simpleUpload" : method === "GET" ? "downloadContent" : "unknown";
      if (item.action === "createUploadSession") return method === "POST" ? "createUploadSession" : "unknown";
      if (item.action === "permissions" || item.action === "invite") return permissionRoute(method, item);
      if (method === "DELETE") return "deleteItem";
      if (method === "PATCH") return isRoot(item) ? "unknown" : "updateItem";
      // Microsoft Learn, "Upload large files with an upload session", "Handle upload errors".
      if (method === "PUT") return "commitFromUploadSession";
      if (method !== "GET") return "unknown";
      return isRoot(item) ? "getRoot" : "getItem";
    }
  }
}

export function routeGraph(method: string, pathname: string): GraphRoute {
  const target = targetOf(pathname);
  if (!target) return { route: "unknown" };
  return { route: routeOf(method, target), target };
}
