/**
 * What a token may do, decided from its permissions before any Graph call (docs/auth.md "Capability").
 *
 * Rule (Microsoft Graph permissions reference, https://learn.microsoft.com/graph/permissions-reference):
 * - full: `Files.ReadWrite.All` together with `Sites.Manage.All` or `Sites.FullControl.All` (FullControl
 *   includes Manage). This is what `graph-mirror login` asks for.
 * - unknown, writes allowed: some write permission is present but not that pair (`Files.ReadWrite`,
 *   `Files.ReadWrite.All` alone, `Sites.ReadWrite.All`, `Sites.Manage.All` alone, app-only `Sites.Selected`
 *   whose per-site grant only the first call can reveal), or no permissions are known at all (opaque
 *   personal-account tokens, rclone tokens, static tokens that are not JWTs). The first call decides.
 * - read-only: permissions are known and none of them can write files. Writes are refused up front.
 */
import type { Capability } from "../core/ports/common.js";

export type TokenKind = "application" | "delegated" | "unknown";

export interface CapabilityAssessment {
  readonly capability: Capability;
  /** True unless the token is known not to be able to write. */
  readonly mayWrite: boolean;
  readonly explanation: string;
}

const WRITE = new Set(
  [
    "Files.ReadWrite",
    "Files.ReadWrite.All",
    "Files.ReadWrite.AppFolder",
    "Files.ReadWrite.Selected",
    "Sites.ReadWrite.All",
    "Sites.Manage.All",
    "Sites.FullControl.All",
    "Sites.Selected",
  ].map((p) => p.toLowerCase()),
);
const SITE_MANAGE = new Set(["sites.manage.all", "sites.fullcontrol.all"]);
/** OpenID Connect scopes say nothing about files. */
const IGNORED = new Set(["openid", "profile", "email", "offline_access"]);

/** `https://graph.microsoft.com/Files.Read` and `Files.Read` are the same permission. */
export function normalizePermission(permission: string): string {
  const slash = permission.lastIndexOf("/");
  return slash >= 0 ? permission.slice(slash + 1) : permission;
}

export function assessCapability(permissions: readonly string[]): CapabilityAssessment {
  const names = permissions
    .map(normalizePermission)
    .filter((p) => p && !IGNORED.has(p.toLowerCase()) && p !== ".default");
  const lower = new Set(names.map((p) => p.toLowerCase()));
  if (lower.size === 0) {
    return {
      capability: "unknown",
      mayWrite: true,
      explanation:
        "the token carries no permission list (an opaque personal-account token, or no scope was stored), " +
        "so the first Graph call will tell whether it may write",
    };
  }
  const writes = names.filter((p) => WRITE.has(p.toLowerCase()));
  if (writes.length === 0) {
    return {
      capability: "read-only",
      mayWrite: false,
      explanation: `the token's permissions (${names.join(", ")}) include none that can write files`,
    };
  }
  const manage = [...lower].some((p) => SITE_MANAGE.has(p));
  if (lower.has("files.readwrite.all") && manage) {
    return {
      capability: "full",
      mayWrite: true,
      explanation: "the token can write files in OneDrive and SharePoint and manage sites",
    };
  }
  if (lower.has("sites.selected")) {
    return {
      capability: "unknown",
      mayWrite: true,
      explanation:
        "Sites.Selected grants access only to sites an administrator added the app to; the first call to " +
        "each site tells whether it may write there",
    };
  }
  const missing = [
    lower.has("files.readwrite.all") ? "" : "Files.ReadWrite.All",
    manage ? "" : "Sites.Manage.All",
  ]
    .filter(Boolean)
    .join(" and ");
  return {
    capability: "unknown",
    mayWrite: true,
    explanation:
      `the token can write some files (${writes.join(", ")}) but lacks ${missing}; ` +
      "writes are attempted and the first call tells whether this destination accepts them",
  };
}

/** What to do about a token that cannot write, by where it came from. */
export function writeGuidance(kind: TokenKind, source: string): string {
  if (kind === "application") {
    return (
      "grant the app registration the Microsoft Graph application permissions Files.ReadWrite.All and " +
      "Sites.Manage.All (or Sites.Selected plus a write grant on the site), grant admin consent, and run again " +
      "so a new token is issued"
    );
  }
  if (source.startsWith("rclone")) {
    return (
      "the rclone remote was authorised for reading only: sign in with `graph-mirror login` (it asks for " +
      "Files.ReadWrite.All and Sites.Manage.All), or reconnect the remote with write scopes"
    );
  }
  if (kind === "delegated") {
    return (
      "sign in again with `graph-mirror login` (it asks for Files.ReadWrite.All and Sites.Manage.All; " +
      "an administrator may need to consent for your organisation)"
    );
  }
  return "supply a token issued with Files.ReadWrite.All and Sites.Manage.All";
}
