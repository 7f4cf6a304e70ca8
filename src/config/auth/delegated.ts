/**
 * The delegated mode (docs/auth.md "Delegated"): a signed-in user's token from graph-mirror's own token.json,
 * else from an rclone OneDrive remote. Only where to look is decided here; reading, refreshing and saving are
 * src/auth/delegated's.
 */
import path from "node:path";
import type { FieldProblem } from "../../core/shared/validationError.js";
import { nonEmpty } from "./fields.js";
import { defaultRcloneConfigCandidates, defaultTokenFile } from "./paths.js";
import { type AuthCommon, type AuthConfig, DEFAULT_LOGIN_SCOPES, type Env } from "./types.js";

export function buildDelegated(
  common: AuthCommon,
  env: Env,
  problems: FieldProblem[],
): AuthConfig | undefined {
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
