/**
 * The first delegated source: graph-mirror's own token.json (docs/auth.md "Delegated"). Used while valid; when
 * expired it is refreshed and SAVED (mode 0600, atomically, src/auth/delegated/tokenFile.ts) under the file's
 * lock, so two processes never refresh the same refresh token at once. Missing file or a refused refresh: the
 * provider moves on to rclone, and says so.
 */
import { AuthError, SIGN_IN_AGAIN } from "../errors.js";
import type { OAuthClient } from "../tokenEndpoint.js";
import {
  type ActiveToken,
  type DelegatedConfig,
  type DelegatedSource,
  type DelegatedTokenCore,
  expiryField,
} from "./tokenCore.js";
import type { StoredToken } from "./tokenFile.js";

// Loaded on first use: the token file's schema needs zod, which a run on another credential should not load
// before its first request (issue 17, docs/upload.md "Memory").
const tokenFile = () => import("./tokenFile.js");

export class TokenJsonSource implements DelegatedSource {
  readonly name = "token.json";

  constructor(
    private readonly config: DelegatedConfig,
    private readonly core: DelegatedTokenCore,
  ) {}

  async get(rejected: string | undefined, signal: AbortSignal | undefined): Promise<ActiveToken> {
    const file = this.config.tokenFile;
    const label = `token.json (${file})`;
    const stored = await (await tokenFile()).readTokenFile(file);
    if (!stored) throw new AuthError("sign-in-required", `${label} does not exist`);
    this.core.logger({
      event: "auth.source-tried",
      source: "token.json",
      file,
      ...expiryField(stored.expiresAt),
    });
    if (this.core.usable(stored.accessToken, stored.expiresAt, rejected)) return fromStored(stored, label);
    this.core.refreshableOrThrow(stored.refreshToken, label, "token.json");
    this.core.logger({
      event: "auth.refresh",
      source: "token.json",
      reason: rejected !== undefined ? "Graph rejected the token" : "expired or about to expire",
    });
    const { withTokenFileLock } = await tokenFile();
    return withTokenFileLock(file, (current) => this.refreshLocked(current, label, rejected, signal));
  }

  /** Runs under the file's lock with the file as it is now: refresh, save, hand over. */
  private async refreshLocked(
    current: StoredToken | undefined,
    label: string,
    rejected: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<ActiveToken> {
    const file = this.config.tokenFile;
    if (!current) throw new AuthError("sign-in-required", `${label} was removed while being refreshed`);
    if (this.core.usable(current.accessToken, current.expiresAt, rejected)) {
      // Another process refreshed while we waited for the lock: its token is ours too.
      this.core.logger({ event: "auth.refreshed-elsewhere", source: "token.json" });
      return fromStored(current, label);
    }
    const refreshToken = this.core.refreshableOrThrow(current.refreshToken, label, "token.json");
    const client = this.client(current, label);
    // offline_access keeps a refresh token coming back; the platform often leaves it out of `scope`.
    const scopes = [
      ...new Set([
        ...(current.scopes.length > 0 ? current.scopes : this.config.loginScopes),
        "offline_access",
      ]),
    ];
    const set = await this.core.refresh(client, refreshToken, scopes, this.core.grantContext(label, signal));
    const next: StoredToken = {
      ...current,
      accessToken: set.accessToken,
      ...((set.refreshToken ?? current.refreshToken)
        ? { refreshToken: set.refreshToken ?? current.refreshToken }
        : {}),
      expiresAt: set.expiresAt,
      scopes: set.scopes ?? current.scopes,
      clientId: client.clientId,
    };
    await (await tokenFile()).writeTokenFile(file, next);
    this.core.logger({ event: "auth.saved", source: "token.json", file, ...expiryField(next.expiresAt) });
    return fromStored(next, label);
  }

  /** The client that refreshes: the file's own, else the configured one (a secret only when configured). */
  private client(stored: StoredToken, label: string): OAuthClient {
    const clientId = stored.clientId ?? this.config.clientId;
    if (!clientId) {
      throw new AuthError(
        "configuration",
        `${label} has no client_id and AZURE_CLIENT_ID is not set, so it cannot be refreshed: ${SIGN_IN_AGAIN}`,
      );
    }
    const tenant = stored.tenantId ?? this.config.tenantId ?? "common";
    return {
      tokenEndpoint: stored.tokenEndpoint ?? `${this.config.cloud.authorityHost}/${tenant}/oauth2/v2.0/token`,
      clientId,
      ...(this.config.clientSecret
        ? { clientSecret: this.config.clientSecret, clientSecretSource: "AZURE_CLIENT_SECRET" }
        : {}),
    };
  }
}

function fromStored(stored: StoredToken, label: string): ActiveToken {
  const user = typeof stored.extra.user === "string" ? stored.extra.user : undefined;
  return {
    token: stored.accessToken,
    ...(stored.expiresAt !== undefined ? { expiresAt: stored.expiresAt } : {}),
    ...(stored.scopes.length > 0 ? { scopes: stored.scopes } : {}),
    source: label,
    ...(user ? { user } : {}),
    ...(stored.tenantId ? { tenantId: stored.tenantId } : {}),
    ...(stored.clientId ? { clientId: stored.clientId } : {}),
    notes: [],
  };
}
