/**
 * Authentication settings: which one credential to build, and the cloud it talks to (docs/auth.md).
 *
 * One mode is chosen, never a chain (docs/platform.md "Identity": DefaultAzureCredential swallows
 * AADSTS7000215 and moves on). `AUTH_MODE` names it; when absent it is inferred from what is set, and two
 * conflicting app-only credentials are an error rather than a silent pick. Values are never echoed: most of
 * these settings are secrets.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { ConfigError, type FieldProblem } from "../core/shared/validationError.js";
import { CLOUD_NAMES, type CloudSettings, cloudSettings, isCloudName } from "./authCloud.js";

export type { CloudName, CloudSettings } from "./authCloud.js";

export const AUTH_MODES = [
  "client-secret",
  "client-certificate",
  "managed-identity",
  "workload-identity",
  "static-token",
  "delegated",
] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

/** Scopes `graph-mirror login` asks for unless `AUTH_LOGIN_SCOPES` says otherwise. */
export const DEFAULT_LOGIN_SCOPES = [
  "Files.ReadWrite.All",
  "Sites.Manage.All",
  "User.Read",
  "offline_access",
];

interface Common {
  readonly cloud: CloudSettings;
  /** Why this mode: `AUTH_MODE=...` or the setting it was inferred from. Shown by `graph-mirror auth status`. */
  readonly selectedBy: string;
}

export interface RcloneSettings {
  /** `RCLONE_CONFIG` when set, else the places rclone looks, first existing wins (see docs/auth.md). */
  readonly configCandidates: readonly string[];
  readonly explicitConfig: boolean;
  /** `RCLONE_REMOTE`; when absent, the first `type = onedrive` remote. */
  readonly remote?: string;
  /** `RCLONE_CONFIG_PASS`, for configs that start with `RCLONE_ENCRYPT_V0:`. */
  readonly password?: string;
  /**
   * `RCLONE_BINARY`: the rclone to run when a remote on rclone's own app has expired (rclone refreshes and saves
   * its own config). When absent, `rclone` is looked up in {@link searchPath} at that moment.
   */
  readonly binary?: string;
  /** The directories of `PATH`, where `rclone` is looked for. */
  readonly searchPath: readonly string[];
}

export type AuthConfig =
  | (Common & { readonly mode: "none" })
  | (Common & { readonly mode: "static-token"; readonly token: string })
  | (Common & {
      readonly mode: "client-secret";
      readonly tenantId: string;
      readonly clientId: string;
      readonly clientSecret: string;
    })
  | (Common & {
      readonly mode: "client-certificate";
      readonly tenantId: string;
      readonly clientId: string;
      /** A PEM file (certificate and private key), or the PEM text itself. */
      readonly certificate: { readonly path: string } | { readonly pem: string };
      readonly certificatePassword?: string;
      /** Send the x5c chain (subject name / issuer authentication). */
      readonly sendCertificateChain: boolean;
    })
  | (Common & {
      readonly mode: "managed-identity";
      /** User-assigned identity's client id; absent means the system-assigned identity. */
      readonly clientId?: string;
    })
  | (Common & {
      readonly mode: "workload-identity";
      readonly tenantId: string;
      readonly clientId: string;
      readonly tokenFilePath: string;
    })
  | (Common & {
      readonly mode: "delegated";
      readonly tokenFile: string;
      readonly rclone: RcloneSettings;
      /** Public (or confidential) client used to refresh token.json when the file does not name one. */
      readonly clientId?: string;
      readonly tenantId?: string;
      /** Only for a confidential delegated client; public clients refresh without a secret. */
      readonly clientSecret?: string;
      readonly loginScopes: readonly string[];
    });

export type Env = Readonly<Record<string, string | undefined>>;

/** Every setting this module reads; each is checked for an unresolved Key Vault reference. */
export const AUTH_SETTING_NAMES = [
  "AUTH_MODE",
  "AZURE_TENANT_ID",
  "AZURE_CLIENT_ID",
  "AZURE_CLIENT_SECRET",
  "AZURE_CLIENT_CERTIFICATE_PATH",
  "AZURE_CLIENT_CERTIFICATE_PEM",
  "AZURE_CLIENT_CERTIFICATE_PASSWORD",
  "AZURE_CLIENT_SEND_CERTIFICATE_CHAIN",
  "AZURE_MANAGED_IDENTITY_CLIENT_ID",
  "AZURE_FEDERATED_TOKEN_FILE",
  "AZURE_AUTHORITY_HOST",
  "GRAPH_CLOUD",
  "GRAPH_BASE_URL",
  "GRAPH_ACCESS_TOKEN",
  "TOKEN_FILE",
  "RCLONE_CONFIG",
  "RCLONE_REMOTE",
  "RCLONE_CONFIG_PASS",
  "AUTH_LOGIN_SCOPES",
  "IDENTITY_ENDPOINT",
  "MSI_ENDPOINT",
] as const;

/** Injected so tests decide whether default token.json / rclone.conf locations "exist". */
export interface AuthConfigProbe {
  exists(file: string): boolean;
}

const fsProbe: AuthConfigProbe = { exists: (file) => existsSync(file) };

export function parseAuthConfig(env: Env, probe: AuthConfigProbe = fsProbe): AuthConfig {
  const keyVaultProblems = AUTH_SETTING_NAMES.flatMap((name) => {
    const problem = unresolvedKeyVaultProblem(name, env[name]);
    return problem ? [problem] : [];
  });
  if (keyVaultProblems.length > 0) throw new ConfigError(keyVaultProblems);

  const problems: FieldProblem[] = [];
  const get = (name: (typeof AUTH_SETTING_NAMES)[number]) => nonEmpty(env[name]);
  const cloud = parseCloud(env, problems);

  const explicit = get("AUTH_MODE");
  let mode: AuthMode | "none";
  let selectedBy: string;
  if (explicit) {
    if (!(AUTH_MODES as readonly string[]).includes(explicit)) {
      problems.push({ field: "AUTH_MODE", rule: `must be one of ${AUTH_MODES.join(", ")}` });
      throw new ConfigError(problems);
    }
    mode = explicit as AuthMode;
    selectedBy = `AUTH_MODE=${explicit}`;
  } else {
    const inferred = inferMode(env, probe, problems);
    mode = inferred.mode;
    selectedBy = inferred.selectedBy;
  }
  if (problems.length > 0 || !cloud) throw new ConfigError(problems);

  const config = buildMode(mode, selectedBy, cloud, env, problems);
  if (problems.length > 0 || !config) throw new ConfigError(problems);
  return config;
}

/**
 * The Graph root this configuration talks to: the origin of `GRAPH_BASE_URL` when set (an emulator, a
 * proxy), else the `GRAPH_CLOUD` pair. The Graph settings should default GRAPH_BASE_URL to `{this}/v1.0`.
 */
export function graphRootFor(config: AuthConfig): string {
  return config.cloud.graphRoot;
}

const KEY_VAULT_REFERENCE = /^\s*@Microsoft\.KeyVault\s*\(/i;

/**
 * A Key Vault reference the Functions host could not resolve arrives as its literal text
 * (https://learn.microsoft.com/azure/app-service/app-service-key-vault-references#troubleshooting-key-vault-references).
 * Other parts of the configuration can use this for their own secret-bearing settings.
 */
export function unresolvedKeyVaultProblem(name: string, value: string | undefined): FieldProblem | undefined {
  if (value === undefined || !KEY_VAULT_REFERENCE.test(value)) return undefined;
  return {
    field: name,
    rule:
      "is an unresolved Key Vault reference (@Microsoft.KeyVault(...) arrived as literal text): check that the " +
      "app's managed identity has the Key Vault Secrets User role (or a get-secret access policy) on the vault, " +
      "that the SecretUri or VaultName/SecretName exists and is enabled, and that the vault's network rules let " +
      "the app in; the app's Environment variables blade shows the reference status",
  };
}

/** Where graph-mirror keeps per-user files: `$XDG_CONFIG_HOME`, `%APPDATA%`, else `~/.config`. */
export function userConfigDir(env: Env): string | undefined {
  const xdg = nonEmpty(env.XDG_CONFIG_HOME);
  if (xdg) return xdg;
  const appData = nonEmpty(env.APPDATA);
  if (appData) return appData;
  const home = homeDir(env);
  return home ? path.join(home, ".config") : undefined;
}

export function defaultTokenFile(env: Env): string | undefined {
  const dir = userConfigDir(env);
  return dir ? path.join(dir, "graph-mirror", "token.json") : undefined;
}

/**
 * Where rclone looks for its config when `RCLONE_CONFIG` is not set (rclone fs/config: the legacy
 * `~/.rclone.conf` if it exists, else `$XDG_CONFIG_HOME/rclone/rclone.conf`, else `~/.config/rclone/rclone.conf`;
 * `%APPDATA%\rclone\rclone.conf` on Windows).
 */
export function defaultRcloneConfigCandidates(env: Env): string[] {
  const home = homeDir(env);
  const candidates: string[] = [];
  if (home) candidates.push(path.join(home, ".rclone.conf"));
  const xdg = nonEmpty(env.XDG_CONFIG_HOME);
  if (xdg) candidates.push(path.join(xdg, "rclone", "rclone.conf"));
  const appData = nonEmpty(env.APPDATA);
  if (appData) candidates.push(path.join(appData, "rclone", "rclone.conf"));
  if (home) candidates.push(path.join(home, ".config", "rclone", "rclone.conf"));
  return candidates;
}

function homeDir(env: Env): string | undefined {
  return nonEmpty(env.HOME) ?? nonEmpty(env.USERPROFILE);
}

function parseCloud(env: Env, problems: FieldProblem[]): CloudSettings | undefined {
  const name = (nonEmpty(env.GRAPH_CLOUD) ?? "global").toLowerCase();
  if (!isCloudName(name)) {
    problems.push({ field: "GRAPH_CLOUD", rule: `must be one of ${CLOUD_NAMES.join(", ")}` });
    return undefined;
  }
  const authorityHost = nonEmpty(env.AZURE_AUTHORITY_HOST);
  if (authorityHost !== undefined && !isHttpsOrigin(authorityHost)) {
    problems.push({
      field: "AZURE_AUTHORITY_HOST",
      rule: "must be an https URL with no path, e.g. https://login.microsoftonline.us",
    });
    return undefined;
  }
  // GRAPH_BASE_URL itself is validated with the Graph settings (src/config/graph.ts); here only its origin
  // matters, as the resource of the app-only scope `{graphRoot}/.default`.
  const graphRoot = originOf(nonEmpty(env.GRAPH_BASE_URL));
  return cloudSettings(name, {
    ...(authorityHost ? { authorityHost } : {}),
    ...(graphRoot ? { graphRoot } : {}),
  });
}

function isHttpsOrigin(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (
    url.protocol === "https:" && (url.pathname === "/" || url.pathname === "") && !url.search && !url.hash
  );
}

function originOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return new URL(value).origin;
  } catch {
    return undefined;
  }
}

function inferMode(
  env: Env,
  probe: AuthConfigProbe,
  problems: FieldProblem[],
): { mode: AuthMode | "none"; selectedBy: string } {
  const set = (name: string) => nonEmpty(env[name]) !== undefined;
  // Explicit credentials, each of which names exactly one mode.
  const explicit: { mode: AuthMode; setting: string }[] = [];
  if (set("GRAPH_ACCESS_TOKEN")) explicit.push({ mode: "static-token", setting: "GRAPH_ACCESS_TOKEN" });
  if (set("AZURE_CLIENT_SECRET")) explicit.push({ mode: "client-secret", setting: "AZURE_CLIENT_SECRET" });
  for (const setting of ["AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_CLIENT_CERTIFICATE_PEM"]) {
    if (set(setting)) {
      explicit.push({ mode: "client-certificate", setting });
      break;
    }
  }
  if (set("AZURE_FEDERATED_TOKEN_FILE"))
    explicit.push({ mode: "workload-identity", setting: "AZURE_FEDERATED_TOKEN_FILE" });
  for (const setting of ["TOKEN_FILE", "RCLONE_CONFIG", "RCLONE_REMOTE"]) {
    if (set(setting)) {
      explicit.push({ mode: "delegated", setting });
      break;
    }
  }
  if (explicit.length > 1) {
    problems.push({
      field: "AUTH_MODE",
      rule:
        `must be set when settings for more than one authentication mode are present ` +
        `(${explicit.map((e) => `${e.setting} -> ${e.mode}`).join(", ")}); graph-mirror never picks one silently`,
    });
    return { mode: "none", selectedBy: "" };
  }
  const [only] = explicit;
  if (only) return { mode: only.mode, selectedBy: `inferred: ${only.setting} is set` };
  // Ambient managed identity: the platform sets IDENTITY_ENDPOINT (App Service, Functions) or MSI_ENDPOINT.
  for (const setting of ["AZURE_MANAGED_IDENTITY_CLIENT_ID", "IDENTITY_ENDPOINT", "MSI_ENDPOINT"]) {
    if (set(setting)) return { mode: "managed-identity", selectedBy: `inferred: ${setting} is set` };
  }
  // A person who ran `graph-mirror login` (or has rclone set up) should not need any setting.
  const tokenFile = defaultTokenFile(env);
  if (tokenFile && probe.exists(tokenFile)) {
    return { mode: "delegated", selectedBy: `inferred: ${tokenFile} exists` };
  }
  const rcloneConfig = defaultRcloneConfigCandidates(env).find((file) => probe.exists(file));
  if (rcloneConfig) return { mode: "delegated", selectedBy: `inferred: ${rcloneConfig} exists` };
  return { mode: "none", selectedBy: "no authentication setting is present" };
}

function buildMode(
  mode: AuthMode | "none",
  selectedBy: string,
  cloud: CloudSettings,
  env: Env,
  problems: FieldProblem[],
): AuthConfig | undefined {
  const common = { cloud, selectedBy };
  const required = (name: string): string => {
    const value = nonEmpty(env[name]);
    if (value === undefined) problems.push({ field: name, rule: `is required for ${mode} authentication` });
    return value ?? "";
  };
  switch (mode) {
    case "none":
      return { mode, ...common };
    case "static-token":
      return { mode, ...common, token: required("GRAPH_ACCESS_TOKEN") };
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
    case "delegated":
      return buildDelegated(common, env, problems);
  }
}

function buildDelegated(common: Common, env: Env, problems: FieldProblem[]): AuthConfig | undefined {
  const tokenFile = nonEmpty(env.TOKEN_FILE) ?? defaultTokenFile(env);
  if (!tokenFile) {
    problems.push({
      field: "TOKEN_FILE",
      rule: "is required when neither HOME, XDG_CONFIG_HOME nor APPDATA says where the user's config lives",
    });
    return undefined;
  }
  const explicitConfig = nonEmpty(env.RCLONE_CONFIG);
  const remote = nonEmpty(env.RCLONE_REMOTE)?.replace(/:$/, "");
  const password = env.RCLONE_CONFIG_PASS ? env.RCLONE_CONFIG_PASS : undefined;
  const binary = nonEmpty(env.RCLONE_BINARY);
  const searchPath = (env.PATH ?? "").split(path.delimiter).filter((dir) => dir !== "");
  const clientId = nonEmpty(env.AZURE_CLIENT_ID);
  const tenantId = nonEmpty(env.AZURE_TENANT_ID);
  const clientSecret = nonEmpty(env.AZURE_CLIENT_SECRET);
  const scopes =
    nonEmpty(env.AUTH_LOGIN_SCOPES)
      ?.split(/[\s,]+/)
      .filter(Boolean) ?? DEFAULT_LOGIN_SCOPES;
  return {
    mode: "delegated",
    ...common,
    tokenFile: path.resolve(tokenFile),
    rclone: {
      configCandidates: explicitConfig ? [explicitConfig] : defaultRcloneConfigCandidates(env),
      explicitConfig: explicitConfig !== undefined,
      ...(remote ? { remote } : {}),
      ...(password !== undefined ? { password } : {}),
      ...(binary ? { binary } : {}),
      searchPath,
    },
    ...(clientId ? { clientId } : {}),
    ...(tenantId ? { tenantId } : {}),
    ...(clientSecret ? { clientSecret } : {}),
    loginScopes: scopes,
  };
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

function parseBoolean(env: Env, name: string, problems: FieldProblem[]): boolean {
  const value = nonEmpty(env[name])?.toLowerCase();
  if (value === undefined) return false;
  if (["true", "1", "yes"].includes(value)) return true;
  if (["false", "0", "no"].includes(value)) return false;
  problems.push({ field: name, rule: "must be true or false" });
  return false;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
