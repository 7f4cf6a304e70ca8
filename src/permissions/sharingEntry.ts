/**
 * A Graph `permission` resource (Microsoft Learn, "permission resource type") reduced to who has access, with
 * which roles, and whether it is inherited (`inheritedFrom` set) — what SharePoint's "Manage access" shows.
 * Sharing links keep their type and scope but never their URL or share id: for an anonymous link those are the
 * credential itself (driveitem-list-permissions: "properties that contain secrets (shareId, webUrl)").
 */
import { isRecord } from "../graph/driveItem.js";

export type GranteeKind =
  | "user"
  | "group"
  | "siteGroup"
  | "siteUser"
  | "application"
  | "device"
  | "link"
  | "unknown";

export interface SharingEntry {
  readonly id: string;
  readonly roles: readonly string[];
  readonly kind: GranteeKind;
  /** Display name of the user, group or application; absent for links shared with nobody in particular. */
  readonly name?: string;
  readonly email?: string;
  /** Graph's object id of the user, group or application. */
  readonly granteeId?: string;
  readonly inherited: boolean;
  /** The ancestor's path (`/drives/{id}/root:/folder`) when inherited. */
  readonly inheritedFrom?: string;
  /** Sharing links: `view`/`edit`/..., `anonymous`/`organization`/`users`, and who a `users` link names. */
  readonly link?: { readonly type?: string; readonly scope?: string; readonly grantees: readonly string[] };
  readonly expires?: string;
}

const IDENTITY_KINDS = ["user", "group", "siteGroup", "siteUser", "application", "device"] as const;

const text = (value: unknown): string | undefined =>
  typeof value === "string" && value !== "" ? value : undefined;

function identityOf(
  set: unknown,
): { kind: GranteeKind; name?: string; email?: string; id?: string } | undefined {
  if (!isRecord(set)) return undefined;
  for (const kind of IDENTITY_KINDS) {
    const identity = set[kind];
    if (!isRecord(identity)) continue;
    const name = text(identity.displayName) ?? text(identity.loginName);
    const email = text(identity.email);
    const id = text(identity.id);
    return { kind, ...(name ? { name } : {}), ...(email ? { email } : {}), ...(id ? { id } : {}) };
  }
  return undefined;
}

function linkGrantees(body: Record<string, unknown>): string[] {
  const list = Array.isArray(body.grantedToIdentitiesV2)
    ? body.grantedToIdentitiesV2
    : Array.isArray(body.grantedToIdentities)
      ? body.grantedToIdentities
      : [];
  return list
    .map(identityOf)
    .flatMap((identity) => (identity ? [identity.email ?? identity.name ?? ""] : []));
}

/** Undefined when `body` is not a permission (no id). */
export function sharingEntryOf(body: unknown): SharingEntry | undefined {
  if (!isRecord(body) || typeof body.id !== "string") return undefined;
  const roles = Array.isArray(body.roles) ? body.roles.filter((r): r is string => typeof r === "string") : [];
  const inheritedFrom = isRecord(body.inheritedFrom)
    ? (text(body.inheritedFrom.path) ?? text(body.inheritedFrom.id) ?? "an ancestor")
    : undefined;
  const expires = text(body.expirationDateTime);
  const common = {
    id: body.id,
    roles,
    inherited: inheritedFrom !== undefined,
    ...(inheritedFrom ? { inheritedFrom } : {}),
    ...(expires ? { expires } : {}),
  };
  if (isRecord(body.link)) {
    const type = text(body.link.type);
    const scope = text(body.link.scope);
    const link = { ...(type ? { type } : {}), ...(scope ? { scope } : {}), grantees: linkGrantees(body) };
    return { ...common, kind: "link", link };
  }
  const identity = identityOf(body.grantedToV2) ?? identityOf(body.grantedTo);
  if (!identity) return { ...common, kind: "unknown" };
  return {
    ...common,
    kind: identity.kind,
    ...(identity.name ? { name: identity.name } : {}),
    ...(identity.email ? { email: identity.email } : {}),
    ...(identity.id ? { granteeId: identity.id } : {}),
  };
}

/** Direct (not inherited) user permissions granting access to `email`, compared case-insensitively. */
export function directGrantsTo(entries: readonly SharingEntry[], email: string): SharingEntry[] {
  const wanted = email.toLowerCase();
  return entries.filter((e) => !e.inherited && e.kind === "user" && e.email?.toLowerCase() === wanted);
}
