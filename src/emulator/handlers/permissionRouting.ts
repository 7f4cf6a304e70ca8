/**
 * The permissions part of an item address (Microsoft Learn, "List sharing permissions on a driveItem",
 * "Send a sharing invitation", "Delete a sharing permission"): `.../permissions`, `.../permissions/{id}` and
 * `.../invite`, after an item addressed by id or by path.
 */
import type { ItemAction, ItemAddress } from "../itemAddress.js";
import type { RouteName } from "../routes.js";

type PermissionPart = { readonly action: ItemAction; readonly permissionId?: string };

/** The action and permission id of `permissions`, `permissions/{id}` or `invite`; undefined for anything else. */
export function permissionAction(
  action: string,
  decode: (segment: string) => string,
): PermissionPart | undefined {
  if (action === "permissions" || action === "invite") return { action };
  const byId = /^permissions\/([^/]+)$/.exec(action);
  if (byId?.[1] !== undefined) return { action: "permissions", permissionId: decode(byId[1]) };
  return undefined;
}

export function permissionRoute(method: string, item: ItemAddress): RouteName {
  if (item.action === "invite")
    return method === "POST" && item.permissionId === undefined ? "invite" : "unknown";
  if (item.permissionId === undefined) return method === "GET" ? "listPermissions" : "unknown";
  return method === "DELETE" ? "deletePermission" : "unknown";
}
