/**
 * The check read operations (`ls`, `check`) make before their first Graph call: any token that can read files
 * passes, the read-only rclone.conf fallback included (docs/auth.md "Capability"); a token whose permissions are
 * known and include none that reads files or sites (e.g. only `User.Read`) is refused with what to do.
 * A token whose permissions cannot be known (opaque, static, rclone's) is let through: the first call decides.
 */
import type { TokenProvider } from "../core/ports/common.js";
import { normalizePermission } from "./capability.js";
import { AuthError } from "./errors.js";

/** Permissions that can read drive items: every Files.* and Sites.* permission (write implies read). */
const READS_FILES = /^(files|sites)\./i;
/** OpenID Connect scopes say nothing about files. */
const IGNORED = new Set(["openid", "profile", "email", "offline_access", ".default"]);

export interface ReadAssessment {
  readonly mayRead: boolean;
  readonly explanation: string;
}

export function assessReadCapability(permissions: readonly string[]): ReadAssessment {
  const names = permissions.map(normalizePermission).filter((p) => p && !IGNORED.has(p.toLowerCase()));
  if (names.length === 0)
    return { mayRead: true, explanation: "the token carries no permission list; the first call decides" };
  const reading = names.filter((p) => READS_FILES.test(p));
  if (reading.length > 0)
    return { mayRead: true, explanation: `the token may read files (${reading.join(", ")})` };
  return {
    mayRead: false,
    explanation: `the token's permissions (${names.join(", ")}) include none that can read files or sites`,
  };
}

/** Resolves when reads may be attempted; throws AuthError `insufficient-permission` otherwise. */
export async function assertReadAllowed(provider: TokenProvider): Promise<void> {
  const description = await provider.describe?.();
  if (!description) return;
  const assessment = assessReadCapability(description.scopes);
  if (!assessment.mayRead)
    throw new AuthError(
      "insufficient-permission",
      `reads refused before any request: ${description.source}: ${assessment.explanation}. To fix: grant ` +
        "Files.Read.All (or any Files.* or Sites.* permission, Sites.Selected with a grant on the site) and run again " +
        "so a new token is issued",
    );
}
