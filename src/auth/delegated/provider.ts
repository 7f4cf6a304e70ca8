/**
 * Delegated tokens from two sources, in order (docs/auth.md "Delegated"):
 * 1. token.json: used while valid; refreshed and saved (under a lock) when expired; skipped when missing or
 *    when its refresh fails.
 * 2. an rclone OneDrive remote: used while valid; refreshed in memory only (rclone.conf is never written). A
 *    remote on rclone's own app (no client_id) can only be refreshed by rclone: when rclone is installed, it is
 *    asked to (`rclone about <remote>:` saves rclone's own file) and the file is read again.
 * Every decision is logged (without token values) and reported by `status()`, so a fallback is never silent.
 */
import { createHash } from "node:crypto";
import type { AuthConfig } from "../../config/auth.js";
import type { Clock, TokenDescription } from "../../core/ports/common.js";
import { raceAbort, TOKEN_REQUEST_TIMEOUT_MS } from "../abort.js";
import { AuthError, type AuthErrorCode, SIGN_IN_AGAIN } from "../errors.js";
import type { IdentityHttpOptions } from "../http.js";
import type { AuthLogger } from "../log.js";
import { type AuthStatus, type AuthTokenProvider, buildStatus, descriptionFromStatus } from "../status.js";
import { type GrantContext, type OAuthClient, refreshGrant } from "../tokenEndpoint.js";
import { findRcloneConfig, type RcloneRemoteToken, readRcloneRemote } from "./rcloneRemote.js";
import { findRclone, runRcloneAbout } from "./rcloneRun.js";
import { readTokenFile, type StoredToken, withTokenFileLock, writeTokenFile } from "./tokenFile.js";

export type DelegatedConfig = Extract<AuthConfig, { mode: "delegated" }>;

interface ActiveToken {
  readonly token: string;
  readonly expiresAt?: number;
  readonly scopes?: readonly string[];
  readonly source: string;
  readonly user?: string;
  readonly tenantId?: string;
  readonly clientId?: string;
  readonly notes: readonly string[];
}

/** What outlives one invocation of a warm instance (kept per configuration by src/auth/index.ts). */
export interface DelegatedState {
  active?: ActiveToken;
  pending?: Promise<ActiveToken>;
  /** Refresh tokens (by SHA-256) the identity platform refused for good, with the reason: not retried. */
  readonly deadRefreshTokens: Map<string, string>;
  /** The rclone token as refreshed in memory, valid while rclone.conf still holds the token it replaced. */
  rclone?: {
    readonly key: string;
    readonly basedOn: string;
    readonly accessToken: string;
    readonly refreshToken?: string;
    readonly expiresAt: number;
    readonly scopes?: readonly string[];
  };
}

export function newDelegatedState(): DelegatedState {
  return { deadRefreshTokens: new Map() };
}

export interface DelegatedOptions {
  readonly clock: Clock;
  readonly logger: AuthLogger;
  readonly refreshMarginMs: number;
  readonly http?: IdentityHttpOptions;
}

export class DelegatedTokenProvider implements AuthTokenProvider {
  constructor(
    private readonly config: DelegatedConfig,
    private readonly state: DelegatedState,
    private readonly options: DelegatedOptions,
  ) {}

  async getToken(options?: { forceRefresh?: boolean; signal?: AbortSignal }): Promise<string> {
    return (await this.activeToken(options)).token;
  }

  async describe(): Promise<TokenDescription> {
    return descriptionFromStatus(await this.status());
  }

  async status(options?: { signal?: AbortSignal }): Promise<AuthStatus> {
    const active = await this.activeToken(options);
    return buildStatus({
      source: active.source,
      selectedBy: this.config.selectedBy,
      kind: "delegated",
      token: active.token,
      ...(active.expiresAt !== undefined ? { expiresAt: active.expiresAt } : {}),
      ...(active.scopes ? { storedScopes: active.scopes } : {}),
      notes: active.notes,
      identity: {
        ...(active.tenantId ? { tenantId: active.tenantId } : {}),
        ...(active.clientId ? { appId: active.clientId } : {}),
        ...(active.user ? { user: active.user } : {}),
      },
    });
  }

  private async activeToken(options?: {
    forceRefresh?: boolean;
    signal?: AbortSignal;
  }): Promise<ActiveToken> {
    const active = this.state.active;
    if (!options?.forceRefresh && active && this.usable(active.token, active.expiresAt, undefined))
      return active;
    if (options?.forceRefresh) {
      const rejected = active?.token;
      this.options.logger({ event: "auth.force-refresh", reason: "Graph answered 401 to the current token" });
      // A resolution already under way may still return the rejected token: let it finish, then judge.
      if (this.state.pending) await this.state.pending.catch(() => undefined);
      const now = this.state.active;
      if (now && now.token !== rejected && this.usable(now.token, now.expiresAt, undefined)) return now;
      return raceAbort(this.startResolve(rejected), options.signal);
    }
    return raceAbort(this.state.pending ?? this.startResolve(undefined), options?.signal);
  }

  private startResolve(rejected: string | undefined): Promise<ActiveToken> {
    const pending = this.resolve(rejected).then((resolved) => {
      this.state.active = resolved;
      return resolved;
    });
    this.state.pending = pending;
    void pending
      .catch(() => undefined)
      .finally(() => {
        if (this.state.pending === pending) this.state.pending = undefined;
      });
    return pending;
  }

  private async resolve(rejected: string | undefined): Promise<ActiveToken> {
    const signal = AbortSignal.timeout(TOKEN_REQUEST_TIMEOUT_MS);
    const notes: string[] = [];
    const failures: AuthError[] = [];
    const sources = [
      { name: "token.json", get: () => this.fromTokenFile(rejected, signal) },
      { name: "rclone", get: () => this.fromRclone(rejected, signal) },
    ];
    for (const source of sources) {
      try {
        const found = await source.get();
        const chosen = { ...found, notes: [...notes, ...found.notes] };
        this.options.logger({
          event: "auth.source-selected",
          source: found.source,
          ...(found.expiresAt !== undefined ? { expiresAt: new Date(found.expiresAt).toISOString() } : {}),
        });
        return chosen;
      } catch (err: unknown) {
        const failure =
          err instanceof AuthError
            ? err
            : new AuthError(
                "configuration",
                `${source.name}: ${err instanceof Error ? err.message : String(err)}`,
              );
        failures.push(failure);
        notes.push(failure.message);
        this.options.logger({
          event: "auth.source-skipped",
          source: source.name,
          code: failure.code,
          reason: failure.message,
        });
      }
    }
    throw combine(failures);
  }

  private usable(token: string, expiresAt: number | undefined, rejected: string | undefined): boolean {
    if (rejected !== undefined && token === rejected) return false;
    return expiresAt === undefined || expiresAt - this.options.refreshMarginMs > this.options.clock.now();
  }

  private grantContext(label: string, signal: AbortSignal | undefined): GrantContext {
    return {
      clock: this.options.clock,
      label,
      http: { ...this.options.http, ...(signal ? { signal } : {}) },
    };
  }

  private async fromTokenFile(
    rejected: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<ActiveToken> {
    const file = this.config.tokenFile;
    const label = `token.json (${file})`;
    const stored = await readTokenFile(file);
    if (!stored) throw new AuthError("sign-in-required", `${label} does not exist`);
    this.options.logger({
      event: "auth.source-tried",
      source: "token.json",
      file,
      ...expiryField(stored.expiresAt),
    });
    if (this.usable(stored.accessToken, stored.expiresAt, rejected)) return this.fromStored(stored, label);
    this.refreshableOrThrow(stored.refreshToken, label, "token.json");
    this.options.logger({
      event: "auth.refresh",
      source: "token.json",
      reason: rejected !== undefined ? "Graph rejected the token" : "expired or about to expire",
    });
    return withTokenFileLock(file, async (current) => {
      if (!current) throw new AuthError("sign-in-required", `${label} was removed while being refreshed`);
      if (this.usable(current.accessToken, current.expiresAt, rejected)) {
        // Another process refreshed while we waited for the lock: its token is ours too.
        this.options.logger({ event: "auth.refreshed-elsewhere", source: "token.json" });
        return this.fromStored(current, label);
      }
      const refreshToken = this.refreshableOrThrow(current.refreshToken, label, "token.json");
      const client = this.tokenFileClient(current, label);
      // offline_access keeps a refresh token coming back; the platform often leaves it out of `scope`.
      const scopes = [
        ...new Set([
          ...(current.scopes.length > 0 ? current.scopes : this.config.loginScopes),
          "offline_access",
        ]),
      ];
      const set = await this.refresh(client, refreshToken, scopes, this.grantContext(label, signal));
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
      await writeTokenFile(file, next);
      this.options.logger({
        event: "auth.saved",
        source: "token.json",
        file,
        ...expiryField(next.expiresAt),
      });
      return this.fromStored(next, label);
    });
  }

  private fromStored(stored: StoredToken, label: string): ActiveToken {
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

  private tokenFileClient(stored: StoredToken, label: string): OAuthClient {
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

  private async fromRclone(
    rejected: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<ActiveToken> {
    const settings = this.config.rclone;
    const file = await findRcloneConfig(settings);
    if (!file) {
      throw new AuthError(
        "sign-in-required",
        `no rclone config found (looked in ${settings.configCandidates.join(", ") || "nowhere: HOME is not set"})`,
      );
    }
    const remote = await readRcloneRemote(file, settings);
    const label = `rclone remote "${remote.remote}" (${file})`;
    this.options.logger({
      event: "auth.source-tried",
      source: "rclone",
      remote: remote.remote,
      file,
      ...expiryField(remote.expiresAt),
    });
    const key = `${file}\u0000${remote.remote}`;
    const basedOn = sha256(remote.accessToken);
    const memory =
      this.state.rclone?.key === key && this.state.rclone.basedOn === basedOn ? this.state.rclone : undefined;
    const candidate = memory ?? remote;
    const scopes = memory?.scopes;
    const active = (
      token: string,
      expiresAt: number | undefined,
      granted?: readonly string[],
    ): ActiveToken => ({
      token,
      ...(expiresAt !== undefined ? { expiresAt } : {}),
      ...(granted ? { scopes: granted } : {}),
      source: label,
      notes: [],
    });
    if (this.usable(candidate.accessToken, candidate.expiresAt, rejected)) {
      return active(candidate.accessToken, candidate.expiresAt, scopes);
    }
    if ("unavailable" in remote.client)
      return this.refreshedByRclone(file, remote, remote.client.unavailable, label, rejected, signal);
    const refreshToken = this.refreshableOrThrow(candidate.refreshToken, label, "rclone");
    this.options.logger({
      event: "auth.refresh",
      source: "rclone",
      remote: remote.remote,
      reason: rejected !== undefined ? "Graph rejected the token" : "expired or about to expire",
    });
    // rclone's oauth2 refresh sends no scope: the grant keeps the scopes of the original consent.
    const set = await this.refresh(remote.client, refreshToken, [], this.grantContext(label, signal));
    this.state.rclone = {
      key,
      basedOn,
      accessToken: set.accessToken,
      ...((set.refreshToken ?? refreshToken) ? { refreshToken: set.refreshToken ?? refreshToken } : {}),
      expiresAt: set.expiresAt,
      ...(set.scopes ? { scopes: set.scopes } : {}),
    };
    this.options.logger({
      event: "auth.refreshed-in-memory",
      source: "rclone",
      ...expiryField(set.expiresAt),
    });
    return active(set.accessToken, set.expiresAt, set.scopes);
  }

  /**
   * The remote uses rclone's own app: run `rclone about <remote>:` (rclone refreshes and saves its own config),
   * then read the file again. Without rclone, the guidance on how to refresh it stays the error.
   */
  private async refreshedByRclone(
    file: string,
    remote: RcloneRemoteToken,
    guidance: string,
    label: string,
    rejected: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<ActiveToken> {
    const settings = this.config.rclone;
    const binary = await findRclone(settings);
    if (!binary)
      throw new AuthError(
        "sign-in-required",
        `${label} has expired; ${guidance} (rclone was not found on PATH and RCLONE_BINARY is not set)`,
      );
    this.options.logger({ event: "auth.rclone-run", source: "rclone", remote: remote.remote, binary });
    try {
      await runRcloneAbout(binary, remote.remote, file, signal);
    } catch (err: unknown) {
      const why = err instanceof Error ? err.message : String(err);
      throw new AuthError("sign-in-required", `${label} has expired and ${why}; ${guidance}`);
    }
    const again = await readRcloneRemote(file, settings);
    if (!this.usable(again.accessToken, again.expiresAt, rejected))
      throw new AuthError(
        "sign-in-required",
        `${label} has expired and still holds an expired token after \`rclone about ${remote.remote}:\`; ${guidance}`,
      );
    this.options.logger({
      event: "auth.refreshed-by-rclone",
      source: "rclone",
      ...expiryField(again.expiresAt),
    });
    return {
      token: again.accessToken,
      ...(again.expiresAt !== undefined ? { expiresAt: again.expiresAt } : {}),
      source: label,
      notes: [
        `the token had expired; rclone refreshed it (ran \`${binary} about ${remote.remote}:\`, which saved ` +
          "rclone's own config) and it was read again",
      ],
    };
  }

  private refreshableOrThrow(refreshToken: string | undefined, label: string, source: string): string {
    if (!refreshToken) {
      throw new AuthError(
        "sign-in-required",
        `${label} has expired and holds no refresh token: ${SIGN_IN_AGAIN}`,
      );
    }
    const dead = this.state.deadRefreshTokens.get(sha256(refreshToken));
    if (dead) {
      this.options.logger({ event: "auth.refresh-skipped", source, reason: "refused earlier" });
      throw new AuthError("sign-in-required", dead);
    }
    return refreshToken;
  }

  private async refresh(
    client: OAuthClient,
    refreshToken: string,
    scopes: readonly string[],
    context: GrantContext,
  ): ReturnType<typeof refreshGrant> {
    try {
      return await refreshGrant(client, refreshToken, scopes, context);
    } catch (err: unknown) {
      if (err instanceof AuthError && err.code !== "network") {
        this.state.deadRefreshTokens.set(sha256(refreshToken), err.message);
      }
      throw err;
    }
  }
}

function combine(failures: readonly AuthError[]): AuthError {
  const codes = new Set<AuthErrorCode>(failures.map((f) => f.code));
  const code: AuthErrorCode = codes.has("network")
    ? "network"
    : codes.has("bad-client-credential")
      ? "bad-client-credential"
      : codes.has("configuration") && !codes.has("sign-in-required")
        ? "configuration"
        : "sign-in-required";
  const reasons = failures.map((f) => f.message).join("; ");
  const action = code === "network" ? "this is retried" : SIGN_IN_AGAIN;
  return new AuthError(code, `no usable delegated token: ${reasons}. Next step: ${action}`);
}

function expiryField(expiresAt: number | undefined): { expiresAt?: string } {
  return expiresAt !== undefined ? { expiresAt: new Date(expiresAt).toISOString() } : {};
}

function sha256(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}
