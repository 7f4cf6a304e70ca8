/**
 * Authentication settings (issue 5 owns the full set: certificate, managed identity, workload identity,
 * delegated token.json / rclone.conf, national clouds). This first version knows the static token and the
 * client secret; `parseAuthConfig` is the seam the rest of the configuration composes.
 */
import { ConfigError, type FieldProblem } from "./configError.js";

export type AuthConfig =
  | { readonly mode: "none" }
  | { readonly mode: "static-token"; readonly token: string }
  | {
      readonly mode: "client-secret";
      readonly tenantId: string;
      readonly clientId: string;
      readonly clientSecret: string;
      readonly authorityHost?: string;
    };

export type Env = Readonly<Record<string, string | undefined>>;

export function parseAuthConfig(env: Env): AuthConfig {
  const problems: FieldProblem[] = [];
  const token = nonEmpty(env.GRAPH_ACCESS_TOKEN);
  const tenantId = nonEmpty(env.AZURE_TENANT_ID);
  const clientId = nonEmpty(env.AZURE_CLIENT_ID);
  const clientSecret = nonEmpty(env.AZURE_CLIENT_SECRET);
  if (token) return { mode: "static-token", token };
  if (tenantId || clientId || clientSecret) {
    if (!tenantId)
      problems.push({ field: "AZURE_TENANT_ID", rule: "is required for client-secret authentication" });
    if (!clientId)
      problems.push({ field: "AZURE_CLIENT_ID", rule: "is required for client-secret authentication" });
    if (!clientSecret)
      problems.push({ field: "AZURE_CLIENT_SECRET", rule: "is required for client-secret authentication" });
    if (problems.length > 0 || !tenantId || !clientId || !clientSecret) throw new ConfigError(problems);
    const authorityHost = nonEmpty(env.AZURE_AUTHORITY_HOST);
    return {
      mode: "client-secret",
      tenantId,
      clientId,
      clientSecret,
      ...(authorityHost ? { authorityHost } : {}),
    };
  }
  return { mode: "none" };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
