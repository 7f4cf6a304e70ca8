/**
 * The user permissions invites created, per item. Only direct grants are stored: what an item inherits (its
 * ancestors' grants and the drive owner's permission) is computed when listed (permissionJson.ts), as the
 * service computes `inheritedFrom`. Durable mode observes every change (persist/durableStore.ts).
 */

export type GrantRole = "read" | "write";

export interface GrantRecord {
  /** Stable per user: SharePoint's permission ids are the base64 of the user's claims login name. */
  readonly id: string;
  readonly driveId: string;
  readonly itemId: string;
  readonly role: GrantRole;
  readonly userId: string;
  readonly email: string;
  readonly displayName: string;
}

export interface PermissionObserver {
  permissionChanged(grant: GrantRecord): void;
  permissionRemoved(grant: GrantRecord): void;
}

const key = (driveId: string, itemId: string): string => `${driveId}|${itemId}`;

/**
 * A user permission's id: base64 of the claims login name `i:0#.f|membership|{upn}` (base64url here: it goes in
 * URLs). Modelling choice, unconfirmed: ids observed on SharePoint look like this, but no doc promises a format;
 * graph-mirror treats permission ids as opaque.
 */
export function grantIdFor(userPrincipalName: string): string {
  return Buffer.from(`i:0#.f|membership|${userPrincipalName.toLowerCase()}`).toString("base64url");
}

export class PermissionRegistry {
  private readonly byItem = new Map<string, Map<string, GrantRecord>>();

  constructor(
    private readonly observer?: PermissionObserver,
    stored: readonly GrantRecord[] = [],
  ) {
    for (const grant of stored) this.place(grant);
  }

  /** The grants made on this item itself, oldest first. */
  grantsOn(driveId: string, itemId: string): GrantRecord[] {
    return [...(this.byItem.get(key(driveId, itemId))?.values() ?? [])];
  }

  /** Adds the grant, or replaces the same user's grant on the same item (a second invite changes the role). */
  upsert(grant: GrantRecord): void {
    this.place(grant);
    this.observer?.permissionChanged(grant);
  }

  remove(grant: GrantRecord): void {
    const grants = this.byItem.get(key(grant.driveId, grant.itemId));
    if (!grants?.delete(grant.id)) return;
    this.observer?.permissionRemoved(grant);
  }

  all(): GrantRecord[] {
    return [...this.byItem.values()].flatMap((grants) => [...grants.values()]);
  }

  private place(grant: GrantRecord): void {
    const itemKey = key(grant.driveId, grant.itemId);
    const grants = this.byItem.get(itemKey) ?? new Map<string, GrantRecord>();
    grants.set(grant.id, grant);
    this.byItem.set(itemKey, grants);
  }
}
