/**
 * Graph `permission` resources for an item (Microsoft Learn, "permission resource type"; "List sharing
 * permissions on a driveItem"): the drive owner's permission (the site's Owners group for a SharePoint library,
 * the OneDrive's user otherwise), inherited by every item below the root, then each user grant made on the
 * item's ancestors (inherited, `inheritedFrom` naming the ancestor) and on the item itself (not inherited).
 */
import type { DriveRecord } from "../directory.js";
import type { DriveTree, ItemRecord } from "../itemTree.js";
import type { GrantRecord, PermissionRegistry } from "./permissionStore.js";

export interface PermissionJson {
  readonly id: string;
  readonly roles: readonly string[];
  readonly grantedTo?: unknown;
  readonly grantedToV2: unknown;
  readonly invitation?: unknown;
  readonly inheritedFrom?: { readonly driveId: string; readonly id: string; readonly path: string };
}

/**
 * The owner permission's id: one per drive, like SharePoint's Owners group. Modelling choice, unconfirmed: "3" is
 * the Owners group id on a classic team site as seen in site settings; no Graph doc or field report fixes it, and
 * graph-mirror never depends on the value (it only refuses to delete the owner permission).
 */
export const OWNER_PERMISSION_ID = "3";

function referenceTo(item: ItemRecord, tree: DriveTree, drive: DriveRecord) {
  const below = item.parent ? `/${tree.pathOf(item).map(encodeURIComponent).join("/")}` : "";
  return { driveId: drive.id, id: item.id, path: `/drives/${drive.id}/root:${below}` };
}

function ownerPermission(drive: DriveRecord): Omit<PermissionJson, "inheritedFrom"> {
  if (drive.owner) {
    const user = {
      id: drive.owner.id,
      displayName: drive.owner.displayName,
      email: drive.owner.userPrincipalName,
    };
    return { id: OWNER_PERMISSION_ID, roles: ["owner"], grantedTo: { user }, grantedToV2: { user } };
  }
  const name = `${drive.site?.displayName ?? drive.name} Owners`;
  return {
    id: OWNER_PERMISSION_ID,
    roles: ["owner"],
    grantedToV2: { siteGroup: { id: OWNER_PERMISSION_ID, displayName: name, loginName: name } },
  };
}

export function grantJson(grant: GrantRecord): PermissionJson {
  const user = { id: grant.userId, displayName: grant.displayName, email: grant.email };
  return {
    id: grant.id,
    roles: [grant.role],
    grantedTo: { user },
    grantedToV2: { user },
    // Always true here: graph-mirror invites only with requireSignIn (src/permissions/graphPermissions.ts). The
    // emulator does not model a sign-in-free invitation (modelling choice; driveitem-invite documents the flag).
    invitation: { email: grant.email, signInRequired: true },
  };
}

/** Every permission in effect on `item`, the owner's first, then from the root down to the item. */
export function effectivePermissions(
  item: ItemRecord,
  tree: DriveTree,
  drive: DriveRecord,
  registry: PermissionRegistry,
): PermissionJson[] {
  const chain: ItemRecord[] = [];
  for (let at: ItemRecord | undefined = item; at; at = at.parent) chain.unshift(at);
  const owner = ownerPermission(drive);
  const root = chain[0] ?? item;
  const result: PermissionJson[] = [
    root === item ? owner : { ...owner, inheritedFrom: referenceTo(root, tree, drive) },
  ];
  for (const at of chain) {
    for (const grant of registry.grantsOn(drive.id, at.id)) {
      const own = grantJson(grant);
      result.push(at === item ? own : { ...own, inheritedFrom: referenceTo(at, tree, drive) });
    }
  }
  return result;
}
