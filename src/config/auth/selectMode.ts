/**
 * Which one credential to build (docs/auth.md): `AUTH_MODE` when set; otherwise inferred from what is set. One
 * mode is chosen, never a chain (docs/platform.md "Identity": DefaultAzureCredential swallows AADSTS7000215 and
 * moves on), so settings for two modes without `AUTH_MODE` are an error rather than a silent pick.
 */
import { ConfigError, type FieldProblem } from "../../core/shared/validationError.js";
import { nonEmpty } from "./fields.js";
import { defaultRcloneConfigCandidates, defaultTokenFile } from "./paths.js";
import { AUTH_MODES, type AuthConfigProbe, type AuthMode, type Env } from "./types.js";

export interface ModeSelection {
  readonly mode: AuthMode | "none";
  /** Shown by `graph-mirror auth status`: `AUTH_MODE=...` or the setting the mode was inferred from. */
  readonly selectedBy: string;
}

/**
 * The mode and why. An unknown `AUTH_MODE` throws at once with the problems so far (nothing else can be judged
 * without a mode); an ambiguous inference records a problem and answers "none".
 */
export function selectMode(env: Env, probe: AuthConfigProbe, problems: FieldProblem[]): ModeSelection {
  const explicit = nonEmpty(env.AUTH_MODE);
  if (!explicit) return inferMode(env, probe, problems);
  if (!(AUTH_MODES as readonly string[]).includes(explicit)) {
    problems.push({ field: "AUTH_MODE", rule: `must be one of ${AUTH_MODES.join(", ")}` });
    throw new ConfigError(problems);
  }
  return { mode: explicit as AuthMode, selectedBy: `AUTH_MODE=${explicit}` };
}

function inferMode(env: Env, probe: AuthConfigProbe, problems: FieldProblem[]): ModeSelection {
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
