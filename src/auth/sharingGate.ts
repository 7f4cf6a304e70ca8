/**
 * The check `permissions grant`, `permissions revoke` and a mirror's `share` rules make before their first Graph
 * call (docs/permissions.md). Microsoft documents these permissions for the two calls:
 * - Send a sharing invitation (https://learn.microsoft.com/graph/api/driveitem-invite) and Delete a sharing
 *   permission (https://learn.microsoft.com/graph/api/permission-delete): delegated `Files.ReadWrite` (least
 *   privileged), `Files.ReadWrite.All`, `Sites.ReadWrite.All`; application `Files.ReadWrite.All`,
 *   `Sites.ReadWrite.All`. `Sites.Manage.All` and `Sites.FullControl.All` include `Sites.ReadWrite.All`
 *   (https://learn.microsoft.com/graph/permissions-reference).
 * So a token whose permissions are known and include none of those is refused with the token design's guidance
 * (src/auth/capability.ts writeGuidance: `Files.ReadWrite.All` and `Sites.Manage.All`, what `graph-mirror login`
 * asks for). `Files.ReadWrite.AppFolder` and `Files.ReadWrite.Selected` can upload but cannot share. A token
 * whose permissions cannot be known (opaque, static, rclone's), or app-only `Sites.Selected` (the per-site grant
 * decides), is let through: the first call decides, as for uploads.
 */
import type { TokenProvider } from "../core/ports/common.js";
import { normalizePermission, type TokenKind, writeGuidance } from "./capability.js";
import { AuthError } from "./errors.js";
import type { AuthTokenProvider } from "./status.js";

const SHARES = new Set(
  [
    "Files.ReadWrite",
    "Files.ReadWrite.All",
    "Sites.ReadWrite.All",
    "Sites.Manage.All",
    "Sites.FullControl.All",
  ].map((p) => p.toLowerCase()),
);
/** OpenID Connect scopes say nothing about files. */
const IGNORED = new Set(["openid", "profile", "email", "offline_access", ".default"]);

export interface SharingAssessment {
  readonly mayShare: boolean;
  readonly explanation: string;
}

export function assessSharingCapability(permissions: readonly string[]): SharingAssessment {
  const names = permissions.map(normalizePermission).filter((p) => p && !IGNORED.has(p.toLowerCase()));
  if (names.length === 0)
    return { mayShare: true, explanation: "the token carries no permission list; the first call decides" };
  const sharing = names.filter((p) => SHARES.has(p.toLowerCase()));
  if (sharing.length > 0)
    return { mayShare: true, explanation: `the token may share (${sharing.join(", ")})` };
  if (names.some((p) => p.toLowerCase() === "sites.selected"))
    return { mayShare: true, explanation: "Sites.Selected: the site's grant decides at the first call" };
  return {
    mayShare: false,
    explanation:
      `the token's permissions (${names.join(", ")}) include none that Microsoft Graph accepts for sharing ` +
      "invitations and permission removal (Files.ReadWrite, Files.ReadWrite.All or Sites.ReadWrite.All)",
  };
}

function isAuthTokenProvider(provider: TokenProvider): provider is AuthTokenProvider {
  return typeof (provider as Partial<AuthTokenProvider>).status === "function";
}

/** Resolves when sharing may be attempted; throws AuthError `insufficient-permission` otherwise. */
export async function assertSharingAllowed(provider: TokenProvider, signal?: AbortSignal): Promise<void> {
  let source: string;
  let kind: TokenKind = "unknown";
  let permissions: readonly string[];
  if (isAuthTokenProvider(provider)) {
    const status = await provider.status(signal ? { signal } : undefined);
    ({ source, kind } = status);
    permissions = [...status.scopes, ...status.roles];
  } else {
    const description = await provider.describe?.();
    if (!description) return;
    source = description.source;
    permissions = description.scopes;
  }
  const assessment = assessSharingCapability(permissions);
  if (assessment.mayShare) return;
  throw new AuthError(
    "insufficient-permission",
    `sharing refused before any request: ${source}: ${assessment.explanation}. To fix: ${writeGuidance(kind, source)}`,
  );
}
