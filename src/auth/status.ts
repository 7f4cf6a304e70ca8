/**
 * What `graph-mirror auth status` shows, and what a provider knows about its token: never the token itself.
 */
import type { Capability, TokenDescription, TokenProvider } from "../core/ports/common.js";
import { assessCapability, type TokenKind, writeGuidance } from "./capability.js";
import { readTokenClaims } from "./jwt.js";

export interface AuthStatus {
  /** Where the token comes from: `client secret`, `token.json (/home/me/.config/graph-mirror/token.json)`. */
  readonly source: string;
  /** Why this source: the setting that chose the mode, and any fallback taken. */
  readonly selectedBy: string;
  readonly kind: TokenKind;
  readonly tenantId?: string;
  readonly appId?: string;
  readonly user?: string;
  readonly expiresAt?: number;
  readonly capability: Capability;
  readonly mayWrite: boolean;
  readonly explanation: string;
  /** What to do when writes are refused (always present, so the CLI can show it next to a read-only token). */
  readonly guidance: string;
  readonly scopes: readonly string[];
  readonly roles: readonly string[];
  /** Decisions worth showing: fallbacks taken, refreshes that failed and why. */
  readonly notes: readonly string[];
}

/** A TokenProvider from src/auth: it can also explain itself. */
export interface AuthTokenProvider extends TokenProvider {
  describe(): Promise<TokenDescription>;
  status(options?: { signal?: AbortSignal }): Promise<AuthStatus>;
}

export function buildStatus(input: {
  source: string;
  selectedBy: string;
  kind: TokenKind;
  token: string;
  expiresAt?: number;
  /** Granted scopes recorded next to the token (token.json `scope`, a token response's `scope`). */
  storedScopes?: readonly string[];
  notes?: readonly string[];
  /** Identity recorded next to the token when the token itself is opaque. */
  identity?: { tenantId?: string; appId?: string; user?: string };
}): AuthStatus {
  const claims = readTokenClaims(input.token);
  const scopes = claims && claims.scopes.length > 0 ? claims.scopes : (input.storedScopes ?? []);
  const roles = claims?.roles ?? [];
  const assessment = assessCapability([...scopes, ...roles]);
  const tenantId = claims?.tenantId ?? input.identity?.tenantId;
  const appId = claims?.appId ?? input.identity?.appId;
  const user = claims?.user ?? input.identity?.user;
  const expiresAt = input.expiresAt ?? claims?.expiresAt;
  return {
    source: input.source,
    selectedBy: input.selectedBy,
    kind: input.kind,
    ...(tenantId ? { tenantId } : {}),
    ...(appId ? { appId } : {}),
    ...(user ? { user } : {}),
    ...(expiresAt !== undefined ? { expiresAt } : {}),
    capability: assessment.capability,
    mayWrite: assessment.mayWrite,
    explanation: assessment.explanation,
    guidance: writeGuidance(input.kind, input.source),
    scopes,
    roles,
    notes: input.notes ?? [],
  };
}

export function descriptionFromStatus(status: AuthStatus): TokenDescription {
  return {
    source: status.source,
    capability: status.capability,
    scopes: [...status.scopes, ...status.roles],
    ...(status.expiresAt !== undefined ? { expiresAt: status.expiresAt } : {}),
  };
}
