/**
 * What both delegated token sources share (docs/auth.md "Delegated"): the token they hand over, the state that
 * outlives one invocation, when a token is still usable (expiry minus the refresh margin, and never the token
 * Graph just rejected), and the refresh grant with its memory of refresh tokens the identity platform refused for
 * good. The sources themselves (src/auth/delegated/tokenJsonSource.ts, rcloneSource.ts) decide where a token
 * comes from and whether a refreshed one is saved.
 */
import { createHash } from "node:crypto";
import type { AuthConfig } from "../../config/auth.js";
import type { Clock } from "../../core/ports/common.js";
import { AuthError, SIGN_IN_AGAIN } from "../errors.js";
import type { IdentityHttpOptions } from "../http.js";
import type { AuthLogger } from "../log.js";
import { type GrantContext, type OAuthClient, refreshGrant } from "../tokenEndpoint.js";

export type DelegatedConfig = Extract<AuthConfig, { mode: "delegated" }>;

/** A token one source produced, with what `graph-mirror auth status` shows about it. */
export interface ActiveToken {
  readonly token: string;
  readonly expiresAt?: number;
  readonly scopes?: readonly string[];
  readonly source: string;
  readonly user?: string;
  readonly tenantId?: string;
  readonly clientId?: string;
  readonly notes: readonly string[];
}

/** One place a delegated token can come from, tried in order by the provider. */
export interface DelegatedSource {
  /** For logs and messages: `token.json`, `rclone`. */
  readonly name: string;
  /**
   * A usable token, refreshed when needed, or an AuthError saying why there is none. `rejected` is the token
   * Graph just answered 401 to: never handed back, even when its recorded expiry says it is still valid.
   */
  get(rejected: string | undefined, signal: AbortSignal | undefined): Promise<ActiveToken>;
}

/** The rclone token as refreshed in memory, valid while rclone.conf still holds the token it replaced. */
export interface RcloneMemory {
  /** The config file and remote name it belongs to. */
  readonly key: string;
  /** SHA-256 of the access token rclone.conf held when this one replaced it. */
  readonly basedOn: string;
  readonly accessToken: string;
  readonly refreshToken?: string;
  readonly expiresAt: number;
  readonly scopes?: readonly string[];
}

/** What outlives one invocation of a warm instance (kept per configuration by src/auth/index.ts). */
export interface DelegatedState {
  active?: ActiveToken;
  pending?: Promise<ActiveToken>;
  /** Refresh tokens (by SHA-256) the identity platform refused for good, with the reason: not retried. */
  readonly deadRefreshTokens: Map<string, string>;
  rclone?: RcloneMemory;
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

/** Expiry, refresh and the dead-refresh-token memory, shared by the provider and both sources. */
export class DelegatedTokenCore {
  constructor(
    readonly state: DelegatedState,
    private readonly options: DelegatedOptions,
  ) {}

  get logger(): AuthLogger {
    return this.options.logger;
  }

  usable(token: string, expiresAt: number | undefined, rejected: string | undefined): boolean {
    if (rejected !== undefined && token === rejected) return false;
    return expiresAt === undefined || expiresAt - this.options.refreshMarginMs > this.options.clock.now();
  }

  grantContext(label: string, signal: AbortSignal | undefined): GrantContext {
    return {
      clock: this.options.clock,
      label,
      http: { ...this.options.http, ...(signal ? { signal } : {}) },
    };
  }

  /** The refresh token, unless there is none or the identity platform already refused it for good. */
  refreshableOrThrow(refreshToken: string | undefined, label: string, source: string): string {
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

  /** The refresh grant; a refusal other than a network failure marks the refresh token dead. */
  async refresh(
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

/** The expiry as a log field (ISO 8601), or nothing when the token records none. */
export function expiryField(expiresAt: number | undefined): { expiresAt?: string } {
  return expiresAt !== undefined ? { expiresAt: new Date(expiresAt).toISOString() } : {};
}

/** A digest, so the state never holds a token as a key. */
export function sha256(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}
