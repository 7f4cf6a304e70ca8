import type { TokenCredential } from "@azure/identity";
import type { TokenDescription, TokenProvider } from "../core/ports.js";

/**
 * Adapts an @azure/identity credential. The credential caches tokens in memory and refreshes them before expiry;
 * `forceRefresh` (after a Graph 401) is passed as a fresh request with claims cleared.
 */
export class CredentialTokenProvider implements TokenProvider {
  private expiresAt: number | undefined;

  constructor(
    private readonly credential: TokenCredential,
    private readonly scope: string,
    private readonly sourceName: string,
  ) {}

  async getToken(options?: { forceRefresh?: boolean; signal?: AbortSignal }): Promise<string> {
    const token = await this.credential.getToken(this.scope, {
      ...(options?.signal ? { abortSignal: options.signal } : {}),
    });
    if (!token) throw new Error(`${this.sourceName}: the identity platform returned no token`);
    this.expiresAt = token.expiresOnTimestamp;
    return token.token;
  }

  async describe(): Promise<TokenDescription> {
    return {
      source: this.sourceName,
      capability: "unknown",
      scopes: [this.scope],
      ...(this.expiresAt ? { expiresAt: this.expiresAt } : {}),
    };
  }
}
