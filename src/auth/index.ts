/**
 * Builds the one TokenProvider the configuration asks for (no silent credential chains: docs/platform.md).
 *
 * Each provider holds what it caches (the credential and its token, the delegated token and its refresh
 * state). The composition root (src/app/services.ts) builds one provider per process and hands it to every
 * consumer, so every invocation on a warm instance reuses the token until shortly before it expires.
 */
import type { AuthConfig } from "../config/auth.js";
import { type Clock, systemClock } from "../core/ports/common.js";
import { type AppOnlyConfig, describeAppOnly } from "./appOnly.js";
import { type CredentialState, CredentialTokenProvider } from "./credentialToken.js";
import { DelegatedTokenProvider, newDelegatedState } from "./delegated/provider.js";
import { AuthError } from "./errors.js";
import type { AuthLogger } from "./log.js";
import { silentLogger } from "./log.js";
import { StaticTokenProvider } from "./staticToken.js";
import type { AuthTokenProvider } from "./status.js";

export { AuthError, type AuthErrorCode } from "./errors.js";
export { assertWriteAllowed } from "./gate.js";
export type { AuthLogEvent, AuthLogger } from "./log.js";
export type { AuthStatus, AuthTokenProvider } from "./status.js";

export interface TokenProviderOptions {
  /** Graph root, e.g. `https://graph.microsoft.com`: the app-only scope is `{graphRoot}/.default`. */
  readonly graphRoot: string;
  readonly clock?: Clock;
  /** Receives every decision (source tried, expiry, refresh, fallback); never token values. */
  readonly logger?: AuthLogger;
  /** Renew tokens this long before they expire. Default 5 minutes, the SDK's own margin. */
  readonly refreshMarginMs?: number;
  /**
   * Extra trusted CA (PEM) for the identity endpoints, replacing the default CA list for those calls. For
   * private endpoints and tests; in production prefer NODE_EXTRA_CA_CERTS, which adds to the defaults.
   */
  readonly tlsCa?: string;
}

const DEFAULT_REFRESH_MARGIN_MS = 5 * 60_000;

export function createTokenProvider(config: AuthConfig, options: TokenProviderOptions): AuthTokenProvider {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const refreshMarginMs = options.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS;
  const graphRoot = options.graphRoot.replace(/\/+$/, "");
  switch (config.mode) {
    case "static-token":
      return new StaticTokenProvider(config.token, config.selectedBy);
    case "client-secret":
    case "client-certificate":
    case "managed-identity":
    case "workload-identity":
      return appOnlyProvider(config, graphRoot, { clock, logger, refreshMarginMs, tlsCa: options.tlsCa });
    case "delegated": {
      return new DelegatedTokenProvider(config, newDelegatedState(), {
        clock,
        logger,
        refreshMarginMs,
        ...(options.tlsCa ? { http: { ca: options.tlsCa } } : {}),
      });
    }
    case "none":
      throw new AuthError(
        "configuration",
        "no Microsoft Graph credentials are configured: set AUTH_MODE and its settings (docs/auth.md), e.g. " +
          "AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET; or sign in with `graph-mirror login`",
      );
  }
}

function appOnlyProvider(
  config: AppOnlyConfig,
  graphRoot: string,
  options: { clock: Clock; logger: AuthLogger; refreshMarginMs: number; tlsCa: string | undefined },
): AuthTokenProvider {
  const scope = `${graphRoot}/.default`;
  const described = describeAppOnly(config, options.tlsCa);
  const state: CredentialState = { credential: described.newCredential() };
  return new CredentialTokenProvider(state, {
    scope,
    source: described.source,
    selectedBy: config.selectedBy,
    newCredential: described.newCredential,
    secretSetting: described.secretSetting,
    ...(described.clientId ? { clientId: described.clientId } : {}),
    clock: options.clock,
    logger: options.logger,
    refreshMarginMs: options.refreshMarginMs,
  });
}
