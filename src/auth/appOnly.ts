/**
 * Builds the one @azure/identity credential an app-only mode asks for (never a chain: docs/platform.md).
 *
 * @azure/identity (with MSAL, ~15 MiB of RSS) is imported when the first token is asked for, not with this
 * module: every CLI command loads the composition root, most with a static or delegated token (issue 17,
 * docs/upload.md "Memory").
 */
import type { GetTokenOptions, TokenCredential } from "@azure/identity";
import type { AuthConfig } from "../config/auth.js";

type Identity = typeof import("@azure/identity");

export type AppOnlyConfig = Extract<
  AuthConfig,
  { mode: "client-secret" | "client-certificate" | "managed-identity" | "workload-identity" }
>;

export interface AppOnlyDescription {
  readonly source: string;
  /** The setting to fix when the identity platform refuses the credential. */
  readonly secretSetting: string;
  readonly clientId?: string;
  readonly newCredential: () => TokenCredential;
}

export function describeAppOnly(config: AppOnlyConfig, tlsCa: string | undefined): AppOnlyDescription {
  const common = {
    authorityHost: config.cloud.authorityHost,
    disableInstanceDiscovery: config.cloud.disableInstanceDiscovery,
    ...(tlsCa ? { tlsOptions: { ca: tlsCa } } : {}),
  };
  switch (config.mode) {
    case "client-secret":
      return {
        source: "client secret",
        secretSetting: "AZURE_CLIENT_SECRET",
        clientId: config.clientId,
        newCredential: lazyCredential(
          ({ ClientSecretCredential }) =>
            new ClientSecretCredential(config.tenantId, config.clientId, config.clientSecret, common),
        ),
      };
    case "client-certificate": {
      const { certificate, certificatePassword } = config;
      const password = certificatePassword ? { certificatePassword } : {};
      const options = { ...common, sendCertificateChain: config.sendCertificateChain };
      return {
        source: "client certificate",
        secretSetting:
          "path" in certificate ? "AZURE_CLIENT_CERTIFICATE_PATH" : "AZURE_CLIENT_CERTIFICATE_PEM",
        clientId: config.clientId,
        newCredential: lazyCredential(({ ClientCertificateCredential }) =>
          "path" in certificate
            ? new ClientCertificateCredential(
                config.tenantId,
                config.clientId,
                { certificatePath: certificate.path, ...password },
                options,
              )
            : new ClientCertificateCredential(
                config.tenantId,
                config.clientId,
                { certificate: certificate.pem, ...password },
                options,
              ),
        ),
      };
    }
    case "managed-identity":
      return {
        source: config.clientId ? "managed identity (user-assigned)" : "managed identity (system-assigned)",
        secretSetting: "AZURE_MANAGED_IDENTITY_CLIENT_ID",
        ...(config.clientId ? { clientId: config.clientId } : {}),
        // The managed identity endpoint is local to the host; authority settings do not apply.
        newCredential: lazyCredential(
          ({ ManagedIdentityCredential }) =>
            new ManagedIdentityCredential({
              ...(config.clientId ? { clientId: config.clientId } : {}),
              ...(tlsCa ? { tlsOptions: { ca: tlsCa } } : {}),
            }),
        ),
      };
    case "workload-identity":
      return {
        source: "workload identity",
        secretSetting: "AZURE_FEDERATED_TOKEN_FILE",
        clientId: config.clientId,
        newCredential: lazyCredential(
          ({ WorkloadIdentityCredential }) =>
            new WorkloadIdentityCredential({
              ...common,
              tenantId: config.tenantId,
              clientId: config.clientId,
              tokenFilePath: config.tokenFilePath,
            }),
        ),
      };
  }
}

/**
 * `() => credential` whose credential is built, from the SDK imported then, on its first getToken. Each call
 * of the returned function is a new credential with its own (empty) cache, as before.
 */
function lazyCredential(build: (identity: Identity) => TokenCredential): () => TokenCredential {
  return () => {
    let built: Promise<TokenCredential> | undefined;
    return {
      async getToken(scopes: string | string[], options?: GetTokenOptions) {
        built ??= import("@azure/identity").then(build);
        return (await built).getToken(scopes, options);
      },
    };
  };
}
