/**
 * Builds the one TokenProvider the configuration asks for (no silent credential chains: PLATFORM.md).
 * Issue 5 extends this with every other mode.
 */
import { ClientSecretCredential } from "@azure/identity";
import type { AuthConfig } from "../config/auth.js";
import type { TokenProvider } from "../core/ports.js";
import { CredentialTokenProvider } from "./credentialToken.js";
import { StaticTokenProvider } from "./staticToken.js";

export interface TokenProviderOptions {
  /** Graph root, e.g. `https://graph.microsoft.com`: the app-only scope is `{graphRoot}/.default`. */
  readonly graphRoot: string;
}

export function createTokenProvider(config: AuthConfig, options: TokenProviderOptions): TokenProvider {
  switch (config.mode) {
    case "static-token":
      return new StaticTokenProvider(config.token);
    case "client-secret": {
      const credential = new ClientSecretCredential(config.tenantId, config.clientId, config.clientSecret, {
        ...(config.authorityHost ? { authorityHost: config.authorityHost } : {}),
      });
      return new CredentialTokenProvider(credential, `${options.graphRoot}/.default`, "client secret");
    }
    case "none":
      throw new Error(
        "no Microsoft Graph credentials are configured: set GRAPH_ACCESS_TOKEN, or AZURE_TENANT_ID, " +
          "AZURE_CLIENT_ID and AZURE_CLIENT_SECRET",
      );
  }
}
