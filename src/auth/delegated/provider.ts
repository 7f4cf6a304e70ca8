/**
 * Delegated tokens from two sources, in order (docs/auth.md "Delegated"):
 * 1. token.json (tokenJsonSource.ts): used while valid; refreshed and saved (under a lock) when expired;
 *    skipped when missing or when its refresh fails.
 * 2. an rclone OneDrive remote (rcloneSource.ts): used while valid; refreshed in memory only (rclone.conf is
 *    never written), or by rclone itself for a remote on rclone's own app.
 * This provider tries them in order, shares one resolution among concurrent callers, and answers a 401 by
 * resolving again without the rejected token. What both sources share (expiry, refresh, state) is in
 * tokenCore.ts. Every decision is logged (without token values) and reported by `status()`, so a fallback is
 * never silent.
 */
import type { TokenDescription } from "../../core/ports/common.js";
import { raceAbort, TOKEN_REQUEST_TIMEOUT_MS } from "../abort.js";
import { AuthError, type AuthErrorCode, SIGN_IN_AGAIN } from "../errors.js";
import { type AuthStatus, type AuthTokenProvider, buildStatus, descriptionFromStatus } from "../status.js";
import { RcloneSource } from "./rcloneSource.js";
import {
  type ActiveToken,
  type DelegatedConfig,
  type DelegatedOptions,
  type DelegatedSource,
  type DelegatedState,
  DelegatedTokenCore,
} from "./tokenCore.js";
import { TokenJsonSource } from "./tokenJsonSource.js";

export {
  type DelegatedConfig,
  type DelegatedOptions,
  type DelegatedState,
  newDelegatedState,
} from "./tokenCore.js";

export class DelegatedTokenProvider implements AuthTokenProvider {
  private readonly core: DelegatedTokenCore;
  private readonly sources: readonly DelegatedSource[];

  constructor(
    private readonly config: DelegatedConfig,
    private readonly state: DelegatedState,
    options: DelegatedOptions,
  ) {
    this.core = new DelegatedTokenCore(state, options);
    this.sources = [new TokenJsonSource(config, this.core), new RcloneSource(config, this.core)];
  }

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
    if (!options?.forceRefresh && active && this.core.usable(active.token, active.expiresAt, undefined))
      return active;
    if (options?.forceRefresh) {
      const rejected = active?.token;
      this.core.logger({ event: "auth.force-refresh", reason: "Graph answered 401 to the current token" });
      // A resolution already under way may still return the rejected token: let it finish, then judge.
      if (this.state.pending) await this.state.pending.catch(() => undefined);
      const now = this.state.active;
      if (now && now.token !== rejected && this.core.usable(now.token, now.expiresAt, undefined)) return now;
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

  /** The first source that yields a token; the notes of those skipped before it travel with it. */
  private async resolve(rejected: string | undefined): Promise<ActiveToken> {
    const signal = AbortSignal.timeout(TOKEN_REQUEST_TIMEOUT_MS);
    const notes: string[] = [];
    const failures: AuthError[] = [];
    for (const source of this.sources) {
      try {
        const found = await source.get(rejected, signal);
        const chosen = { ...found, notes: [...notes, ...found.notes] };
        this.core.logger({
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
        this.core.logger({
          event: "auth.source-skipped",
          source: source.name,
          code: failure.code,
          reason: failure.message,
        });
      }
    }
    throw combine(failures);
  }
}

/** One error for every source that failed: the most actionable code wins, every reason is kept. */
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
