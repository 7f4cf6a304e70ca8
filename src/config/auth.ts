/**
 * Authentication settings: which one credential to build, and the cloud it talks to (docs/auth.md).
 *
 * One mode is chosen, never a chain (docs/platform.md "Identity": DefaultAzureCredential swallows
 * AADSTS7000215 and moves on). `AUTH_MODE` names it; when absent it is inferred from what is set, and two
 * conflicting app-only credentials are an error rather than a silent pick. Values are never echoed: most of
 * these settings are secrets.
 *
 * This module assembles the pieces in src/config/auth/: the types, the mode selection, the cloud, the app-only
 * and delegated modes, and the default per-user file locations. Importers use this path only.
 */
import { existsSync } from "node:fs";
import { ConfigError, type FieldProblem } from "../core/shared/validationError.js";
import { buildAppOnly } from "./auth/appOnly.js";
import { parseCloud } from "./auth/cloud.js";
import { buildDelegated } from "./auth/delegated.js";
import { requiredSetting, unresolvedKeyVaultProblem } from "./auth/fields.js";
import { selectMode } from "./auth/selectMode.js";
import type { AuthConfig, AuthConfigProbe, AuthMode, Env } from "./auth/types.js";
import type { CloudSettings } from "./authCloud.js";

export { unresolvedKeyVaultProblem } from "./auth/fields.js";
export { defaultRcloneConfigCandidates, defaultTokenFile, userConfigDir } from "./auth/paths.js";
export {
  AUTH_MODES,
  type AuthConfig,
  type AuthConfigProbe,
  type AuthMode,
  DEFAULT_LOGIN_SCOPES,
  type Env,
  type RcloneSettings,
} from "./auth/types.js";
export type { CloudName, CloudSettings } from "./authCloud.js";

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

const fsProbe: AuthConfigProbe = { exists: (file) => existsSync(file) };

export function parseAuthConfig(env: Env, probe: AuthConfigProbe = fsProbe): AuthConfig {
  const keyVaultProblems = AUTH_SETTING_NAMES.flatMap((name) => {
    const problem = unresolvedKeyVaultProblem(name, env[name]);
    return problem ? [problem] : [];
  });
  if (keyVaultProblems.length > 0) throw new ConfigError(keyVaultProblems);

  const problems: FieldProblem[] = [];
  const cloud = parseCloud(env, problems);
  const { mode, selectedBy } = selectMode(env, probe, problems);
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

function buildMode(
  mode: AuthMode | "none",
  selectedBy: string,
  cloud: CloudSettings,
  env: Env,
  problems: FieldProblem[],
): AuthConfig | undefined {
  const common = { cloud, selectedBy };
  switch (mode) {
    case "none":
      return { mode, ...common };
    case "static-token":
      return { mode, ...common, token: requiredSetting(env, "GRAPH_ACCESS_TOKEN", mode, problems) };
    case "delegated":
      return buildDelegated(common, env, problems);
    default:
      return buildAppOnly(mode, common, env, problems);
  }
}
