/**
 * The app-only modes (docs/auth.md "App-only"): a client secret, a client certificate (a PEM file or PEM text;
 * PFX is refused with the command that converts it), a managed identity, or a workload identity's federated
 * token file. Values are never echoed in problems: most of these settings are secrets.
 */
import type { FieldProblem } from "../../core/shared/validationError.js";
import { nonEmpty, parseBoolean, requiredSetting } from "./fields.js";
import type { AuthCommon, AuthConfig, Env } from "./types.js";

export type AppOnlyMode = "client-secret" | "client-certificate" | "managed-identity" | "workload-identity";

/** The mode's configuration, or undefined when a problem (recorded in `problems`) leaves nothing to build. */
export function buildAppOnly(
  mode: AppOnlyMode,
  common: AuthCommon,
  env: Env,
  problems: FieldProblem[],
): AuthConfig | undefined {
  const required = (name: string): string => requiredSetting(env, name, mode, problems);
  switch (mode) {
    case "client-secret":
      return {
        mode,
        ...common,
        tenantId: required("AZURE_TENANT_ID"),
        clientId: required("AZURE_CLIENT_ID"),
        clientSecret: required("AZURE_CLIENT_SECRET"),
      };
    case "client-certificate": {
      const tenantId = required("AZURE_TENANT_ID");
      const clientId = required("AZURE_CLIENT_ID");
      const certificate = parseCertificate(env, problems);
      const password = nonEmpty(env.AZURE_CLIENT_CERTIFICATE_PASSWORD);
      const chain = parseBoolean(env, "AZURE_CLIENT_SEND_CERTIFICATE_CHAIN", problems);
      if (!certificate) return undefined;
      return {
        mode,
        ...common,
        tenantId,
        clientId,
        certificate,
        ...(password ? { certificatePassword: password } : {}),
        sendCertificateChain: chain,
      };
    }
    case "managed-identity": {
      const clientId = nonEmpty(env.AZURE_MANAGED_IDENTITY_CLIENT_ID) ?? nonEmpty(env.AZURE_CLIENT_ID);
      return { mode, ...common, ...(clientId ? { clientId } : {}) };
    }
    case "workload-identity":
      return {
        mode,
        ...common,
        tenantId: required("AZURE_TENANT_ID"),
        clientId: required("AZURE_CLIENT_ID"),
        tokenFilePath: required("AZURE_FEDERATED_TOKEN_FILE"),
      };
  }
}

function parseCertificate(
  env: Env,
  problems: FieldProblem[],
): { path: string } | { pem: string } | undefined {
  const file = nonEmpty(env.AZURE_CLIENT_CERTIFICATE_PATH);
  const pem = nonEmpty(env.AZURE_CLIENT_CERTIFICATE_PEM);
  if (file && pem) {
    problems.push({
      field: "AZURE_CLIENT_CERTIFICATE_PEM",
      rule: "must not be set together with AZURE_CLIENT_CERTIFICATE_PATH: choose one",
    });
    return undefined;
  }
  if (file) {
    if (/\.(pfx|p12)$/i.test(file)) {
      problems.push({
        field: "AZURE_CLIENT_CERTIFICATE_PATH",
        rule:
          "must be a PEM file (certificate and private key); PFX/PKCS#12 is not supported: convert it with " +
          "`openssl pkcs12 -in cert.pfx -out cert.pem -nodes` (see docs/auth.md)",
      });
      return undefined;
    }
    return { path: file };
  }
  if (pem) {
    if (!pem.includes("-----BEGIN") || !/PRIVATE KEY-----/.test(pem)) {
      problems.push({
        field: "AZURE_CLIENT_CERTIFICATE_PEM",
        rule: "must hold PEM text with both the certificate and its private key (-----BEGIN ... PRIVATE KEY-----)",
      });
      return undefined;
    }
    return { pem };
  }
  problems.push({
    field: "AZURE_CLIENT_CERTIFICATE_PATH",
    rule: "is required for client-certificate authentication (or AZURE_CLIENT_CERTIFICATE_PEM)",
  });
  return undefined;
}
