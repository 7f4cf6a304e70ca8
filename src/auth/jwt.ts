/**
 * Reads the claims of a Microsoft Entra work or school access token (a JWT) without verifying it: we only use
 * them to describe the token (who, which app, which permissions), never to trust it. Personal-account
 * (MSA) tokens are opaque and yield undefined (docs/platform.md "Identity").
 */
export interface TokenClaims {
  readonly tenantId?: string;
  readonly appId?: string;
  readonly user?: string;
  readonly objectId?: string;
  /** Delegated scopes (`scp`). */
  readonly scopes: readonly string[];
  /** Application permissions (`roles`). */
  readonly roles: readonly string[];
  /** Expiry in ms since the epoch (`exp`). */
  readonly expiresAt?: number;
}

export function readTokenClaims(token: string): TokenClaims | undefined {
  const parts = token.split(".");
  if (parts.length !== 3 || !parts[1]) return undefined;
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  if (typeof payload !== "object" || payload === null) return undefined;
  const claims = payload as Record<string, unknown>;
  const text = (key: string) => (typeof claims[key] === "string" ? (claims[key] as string) : undefined);
  const scp = text("scp");
  const roles = Array.isArray(claims.roles) ? claims.roles.filter((r) => typeof r === "string") : [];
  const exp = typeof claims.exp === "number" ? claims.exp * 1000 : undefined;
  const tenantId = text("tid");
  const appId = text("appid") ?? text("azp");
  const user = text("upn") ?? text("preferred_username") ?? text("unique_name") ?? text("email");
  const objectId = text("oid");
  return {
    ...(tenantId ? { tenantId } : {}),
    ...(appId ? { appId } : {}),
    ...(user ? { user } : {}),
    ...(objectId ? { objectId } : {}),
    scopes: scp ? scp.split(" ").filter(Boolean) : [],
    roles,
    ...(exp !== undefined ? { expiresAt: exp } : {}),
  };
}
