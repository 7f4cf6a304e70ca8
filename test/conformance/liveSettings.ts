/**
 * The `GRAPH_LIVE_*` settings that name a real tenant for `npm run test:live` (docs/emulator.md, "Checking the
 * emulator against Microsoft Graph"). Read by vitest.live.config.ts to stop before any test when something is
 * missing, and by the live target. Values are never echoed: the secret is one of them.
 */
import { type AuthConfig, type Env, parseAuthConfig } from "../../src/config/auth.js";

export interface LiveSettings {
  readonly auth: AuthConfig;
  readonly drive:
    | { readonly kind: "id"; readonly driveId: string }
    | { readonly kind: "library"; readonly siteUrl: string; readonly library: string };
}

/** Every setting the live target reads, for messages and the docs. */
export const LIVE_SETTING_NAMES = [
  "GRAPH_LIVE_TENANT_ID",
  "GRAPH_LIVE_CLIENT_ID",
  "GRAPH_LIVE_CLIENT_SECRET",
  "GRAPH_LIVE_CERTIFICATE_PATH",
  "GRAPH_LIVE_CERTIFICATE_PASSWORD",
  "GRAPH_LIVE_DRIVE_ID",
  "GRAPH_LIVE_SITE_URL",
  "GRAPH_LIVE_LIBRARY",
  "GRAPH_LIVE_CLOUD",
] as const;

function value(env: Env, name: (typeof LIVE_SETTING_NAMES)[number]): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

/** What is missing or contradictory, one line per problem; empty when the settings are usable. */
export function liveSettingsProblems(env: Env): string[] {
  const problems: string[] = [];
  for (const name of ["GRAPH_LIVE_TENANT_ID", "GRAPH_LIVE_CLIENT_ID"] as const) {
    if (!value(env, name)) problems.push(`${name} is not set`);
  }
  const secret = value(env, "GRAPH_LIVE_CLIENT_SECRET");
  const certificate = value(env, "GRAPH_LIVE_CERTIFICATE_PATH");
  if (!secret && !certificate) {
    problems.push("GRAPH_LIVE_CLIENT_SECRET or GRAPH_LIVE_CERTIFICATE_PATH is not set (one of them)");
  }
  if (secret && certificate) {
    problems.push("GRAPH_LIVE_CLIENT_SECRET and GRAPH_LIVE_CERTIFICATE_PATH are both set: choose one");
  }
  const driveId = value(env, "GRAPH_LIVE_DRIVE_ID");
  const site = value(env, "GRAPH_LIVE_SITE_URL");
  const library = value(env, "GRAPH_LIVE_LIBRARY");
  if (driveId && (site || library)) {
    problems.push("GRAPH_LIVE_DRIVE_ID and GRAPH_LIVE_SITE_URL/GRAPH_LIVE_LIBRARY are both set: choose one");
  } else if (!driveId && !(site && library)) {
    const missing = [!site ? "GRAPH_LIVE_SITE_URL" : "", !library ? "GRAPH_LIVE_LIBRARY" : ""].filter(
      Boolean,
    );
    problems.push(
      `GRAPH_LIVE_DRIVE_ID is not set, nor ${missing.join(" and ")} (give the drive id, or site URL and library)`,
    );
  }
  if (site && !/^https:\/\/[^/]+/i.test(site)) {
    problems.push("GRAPH_LIVE_SITE_URL must be an https URL, e.g. https://contoso.sharepoint.com/sites/Ops");
  }
  return problems;
}

/**
 * The settings as the project's own auth configuration (src/config/auth.ts), so the live run authenticates
 * exactly as graph-mirror does: client secret or certificate, app-only, in the chosen cloud.
 */
export function readLiveSettings(env: Env): LiveSettings {
  const problems = liveSettingsProblems(env);
  if (problems.length > 0) throw new Error(missingSettingsMessage(problems));
  const secret = value(env, "GRAPH_LIVE_CLIENT_SECRET");
  const password = value(env, "GRAPH_LIVE_CERTIFICATE_PASSWORD");
  const cloud = value(env, "GRAPH_LIVE_CLOUD");
  const auth = parseAuthConfig({
    AUTH_MODE: secret ? "client-secret" : "client-certificate",
    AZURE_TENANT_ID: value(env, "GRAPH_LIVE_TENANT_ID"),
    AZURE_CLIENT_ID: value(env, "GRAPH_LIVE_CLIENT_ID"),
    ...(secret
      ? { AZURE_CLIENT_SECRET: secret }
      : { AZURE_CLIENT_CERTIFICATE_PATH: value(env, "GRAPH_LIVE_CERTIFICATE_PATH") }),
    ...(password ? { AZURE_CLIENT_CERTIFICATE_PASSWORD: password } : {}),
    ...(cloud ? { GRAPH_CLOUD: cloud } : {}),
  });
  const driveId = value(env, "GRAPH_LIVE_DRIVE_ID");
  return {
    auth,
    drive: driveId
      ? { kind: "id", driveId }
      : {
          kind: "library",
          siteUrl: value(env, "GRAPH_LIVE_SITE_URL") ?? "",
          library: value(env, "GRAPH_LIVE_LIBRARY") ?? "",
        },
  };
}

export function missingSettingsMessage(problems: readonly string[]): string {
  return [
    "npm run test:live needs a tenant to test against; these settings are missing or wrong:",
    ...problems.map((p) => `  - ${p}`),
    'See docs/emulator.md, "Checking the emulator against Microsoft Graph".',
  ].join("\n");
}
