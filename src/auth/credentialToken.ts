import type { AccessToken, TokenCredential } from "@azure/identity";
import type { Clock, TokenDescription } from "../core/ports/common.js";
import { raceAbort, TOKEN_REQUEST_TIMEOUT_MS } from "./abort.js";
import { AuthError } from "./errors.js";
import type { AuthLogger } from "./log.js";
import { type AuthStatus, type AuthTokenProvider, buildStatus, descriptionFromStatus } from "./status.js";
import { classifyTokenEndpointError } from "./tokenEndpoint.js";

/**
 * The part of an app-only provider that outlives one invocation: the credential (with its MSAL cache) and the
 * last token. Kept in a module-level map keyed by configuration (src/auth/index.ts), so a warm Functions
 * instance reuses its token until shortly before expiry instead of asking the identity platform every time.
 */
export interface CredentialState {
  credential: TokenCredential;
  token?: AccessToken;
  /** One token request at a time per state: concurrent jobs share the answer. */
  pending?: Promise<AccessToken>;
  /** The token a pending forced refresh replaces, so concurrent 401s share one refresh. */
  replacing?: string;
}

export interface CredentialProviderOptions {
  readonly scope: string;
  /** `client secret`, `client certificate`, `managed identity`, `workload identity`. */
  readonly source: string;
  readonly selectedBy: string;
  /** Builds a credential with an empty cache; used after a Graph 401 so the next token is really new. */
  readonly newCredential: () => TokenCredential;
  /** Settings a person should check when the credential is refused, e.g. `AZURE_CLIENT_SECRET`. */
  readonly secretSetting: string;
  readonly clientId?: string;
  readonly clock: Clock;
  readonly logger: AuthLogger;
  /** Tokens are renewed this long before they expire (the SDK's own margin is 5 minutes). */
  readonly refreshMarginMs: number;
}

/**
 * Adapts one @azure/identity credential. After a Graph 401 (`forceRefresh`) it builds a fresh credential so the
 * MSAL cache cannot hand back the rejected token, and refuses to return the same token twice.
 */
export class CredentialTokenProvider implements AuthTokenProvider {
  constructor(
    private readonly state: CredentialState,
    private readonly options: CredentialProviderOptions,
  ) {}

  async getToken(options?: { forceRefresh?: boolean; signal?: AbortSignal }): Promise<string> {
    const { clock, logger, refreshMarginMs, source } = this.options;
    const cached = this.state.token;
    if (!options?.forceRefresh && cached && cached.expiresOnTimestamp - refreshMarginMs > clock.now()) {
      return cached.token;
    }
    if (options?.forceRefresh) {
      // Several jobs may hit the same 401 at once: they share one forced refresh.
      if (
        !(this.state.pending && this.state.replacing !== undefined && this.state.replacing === cached?.token)
      ) {
        logger({ event: "auth.force-refresh", source, reason: "Graph answered 401 to the current token" });
        this.state.credential = this.options.newCredential();
        this.state.pending = undefined;
        this.state.replacing = cached?.token;
      }
    } else if (cached) {
      logger({ event: "auth.renew", source, expiresAt: new Date(cached.expiresOnTimestamp).toISOString() });
    }
    const token = await raceAbort(this.acquire(), options?.signal);
    if (options?.forceRefresh && cached && token.token === cached.token) {
      throw new AuthError(
        "rejected",
        `${source}: Microsoft Graph rejected the token and the identity platform issued the same one again ` +
          "(managed identity tokens are cached by the platform); check that the identity has the Graph " +
          "application permissions it needs and that admin consent was granted",
      );
    }
    return token.token;
  }

  async describe(): Promise<TokenDescription> {
    return descriptionFromStatus(await this.status());
  }

  async status(options?: { signal?: AbortSignal }): Promise<AuthStatus> {
    const token = await this.getToken(options);
    return buildStatus({
      source: this.options.source,
      selectedBy: this.options.selectedBy,
      kind: "application",
      token,
      ...(this.state.token ? { expiresAt: this.state.token.expiresOnTimestamp } : {}),
    });
  }

  private acquire(): Promise<AccessToken> {
    if (!this.state.pending) {
      const { source, logger, scope } = this.options;
      logger({ event: "auth.request", source, scope });
      const credential = this.state.credential;
      this.state.pending = credential
        .getToken(scope, { abortSignal: AbortSignal.timeout(TOKEN_REQUEST_TIMEOUT_MS) })
        .then((token) => {
          if (!token) throw new AuthError("rejected", `${source}: the identity platform returned no token`);
          if (this.state.credential === credential) this.state.token = token;
          logger({
            event: "auth.acquired",
            source,
            expiresAt: new Date(token.expiresOnTimestamp).toISOString(),
          });
          return token;
        })
        .catch((err: unknown) => {
          const classified = this.classify(err);
          logger({ event: "auth.failed", source, code: classified.code, retryable: classified.retryable });
          throw classified;
        })
        .finally(() => {
          if (this.state.credential === credential) {
            this.state.pending = undefined;
            this.state.replacing = undefined;
          }
        });
    }
    return this.state.pending;
  }

  /** The SDK's message carries the AADSTS description; we keep only the codes and say what to fix. */
  private classify(err: unknown): AuthError {
    if (err instanceof AuthError) return err;
    const text = err instanceof Error ? `${err.name} ${err.message}` : String(err);
    const { source, secretSetting, clientId } = this.options;
    const code = /AADSTS(\d+)/.exec(text)?.[1];
    const error = /\b(invalid_client|invalid_grant|unauthorized_client|invalid_request|invalid_scope)\b/.exec(
      text,
    )?.[1];
    if (code === "700016" || code === "90002") {
      return new AuthError(
        "configuration",
        `${source}: the tenant does not know this application (AADSTS${code}): check AZURE_TENANT_ID and ` +
          "AZURE_CLIENT_ID (and GRAPH_CLOUD for national clouds)",
      );
    }
    if (code === "700027" || code === "700024") {
      return new AuthError(
        "bad-client-credential",
        `${source}: the certificate assertion was refused (AADSTS${code}): check that the certificate in ` +
          `${secretSetting} is uploaded to the app registration and that this machine's clock is right`,
      );
    }
    if (code || error) {
      return classifyTokenEndpointError(
        400,
        { error: error ?? "", ...(code ? { error_codes: [Number(code)] } : {}) },
        {
          tokenEndpoint: "https://login.microsoftonline.com",
          clientId: clientId ?? "(managed identity)",
          clientSecretSource: secretSetting,
        },
        source,
      );
    }
    if (/ECONNREFUSED|ENOTFOUND|ETIMEDOUT|ECONNRESET|EAI_AGAIN|network|socket|timed? ?out/i.test(text)) {
      return new AuthError(
        "network",
        `${source}: the identity endpoint could not be reached; this is retried`,
      );
    }
    return new AuthError("rejected", `${source}: no token could be obtained (${firstLine(text)})`);
  }
}

function firstLine(text: string): string {
  const line = text.split("\n")[0] ?? text;
  return line.length > 300 ? `${line.slice(0, 300)}...` : line;
}
