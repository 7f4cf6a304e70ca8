/**
 * How `graph-mirror permissions list` prints who has access: one line per permission, as SharePoint's
 * "Manage access" lists them (role, kind, who, inherited or the id `revoke --permission` takes), or JSON.
 */
import type { SharingEntry } from "./sharingEntry.js";

export interface PermissionsJson {
  readonly item: { readonly destination: string; readonly driveId: string; readonly id: string };
  readonly permissions: readonly SharingEntry[];
}

function who(entry: SharingEntry): string {
  if (entry.link) {
    const named = entry.link.grantees.length > 0 ? ` for ${entry.link.grantees.join(", ")}` : "";
    return `${entry.link.scope ?? "?"} ${entry.link.type ?? "?"} link${named}`;
  }
  if (entry.name && entry.email && entry.name !== entry.email) return `${entry.name} <${entry.email}>`;
  return entry.email ?? entry.name ?? entry.granteeId ?? "(unnamed)";
}

export function permissionLines(entries: readonly SharingEntry[]): string[] {
  return entries.map((entry) => {
    const where = entry.inherited ? `inherited from ${entry.inheritedFrom}` : `id ${entry.id}`;
    const expires = entry.expires ? ` expires ${entry.expires}` : "";
    return `${entry.roles.join(",").padEnd(6)} ${entry.kind.padEnd(11)} ${who(entry)}  (${where})${expires}`;
  });
}
