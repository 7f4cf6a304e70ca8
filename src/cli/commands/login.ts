/**
 * `graph-mirror login`: signs a person in and saves the delegated token to token.json (docs/auth.md
 * "Delegated"). Device code by default (works over SSH on a headless server); `--browser` for authorization
 * code with PKCE on a loopback redirect. Prints what the token can do; never prints a token.
 */

import { spawn } from "node:child_process";
import type { Command } from "commander";
import { assessCapability } from "../../auth/capability.js";
import { type LoginDependencies, loginWithBrowser, loginWithDeviceCode } from "../../auth/login/flows.js";
import type { Env } from "../../config/auth.js";
import { loadConfig } from "../../config/index.js";
import { type Clock, systemClock } from "../../core/ports/common.js";
import { delay } from "../../core/shared/delay.js";
import { ConfigError } from "../../core/shared/validationError.js";

export interface LoginOptions {
  readonly browser?: boolean;
  readonly scopes?: string;
  readonly tenant?: string;
  readonly clientId?: string;
  readonly tokenFile?: string;
}

export interface LoginIo {
  readonly env: Env;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly clock?: Clock;
  /** Test seams: the device-code wait, the browser opener, and a CA for a private identity endpoint. */
  readonly sleep?: LoginDependencies["sleep"];
  readonly openBrowser?: LoginDependencies["openBrowser"];
  readonly tlsCa?: string;
  readonly signal?: AbortSignal;
}

export function register(program: Command): void {
  program
    .command("login")
    .description("sign in with a work, school or personal Microsoft account and save the token to token.json")
    .option(
      "--browser",
      "sign in in a browser on this machine (authorization code + PKCE) instead of a device code",
    )
    .option(
      "--scopes <scopes>",
      "space- or comma-separated scopes (default: AUTH_LOGIN_SCOPES or the full set)",
    )
    .option(
      "--tenant <tenant>",
      "tenant id or domain, organizations, consumers or common (default: AZURE_TENANT_ID or common)",
    )
    .option(
      "--client-id <id>",
      "application (client) id of a public client app registration (default: AZURE_CLIENT_ID)",
    )
    .option(
      "--token-file <file>",
      "where to save the token (default: TOKEN_FILE or ~/.config/graph-mirror/token.json)",
    )
    .action(async (options: LoginOptions) => {
      process.exitCode = await loginCommand(options, {
        env: process.env,
        stdout: process.stdout,
        stderr: process.stderr,
      });
    });
}

export async function loginCommand(options: LoginOptions, io: LoginIo): Promise<number> {
  // Login is always delegated, whatever AUTH_MODE the service itself uses: the root's configuration of the
  // settings as login sees them (no services: login makes the token the service's provider will read).
  const { auth: config } = loadConfig({
    ...io.env,
    AUTH_MODE: "delegated",
    ...(options.tokenFile ? { TOKEN_FILE: options.tokenFile } : {}),
    ...(options.scopes ? { AUTH_LOGIN_SCOPES: options.scopes } : {}),
  });
  if (config.mode !== "delegated") throw new Error("unreachable: login parses a delegated configuration");
  const clientId = options.clientId ?? config.clientId;
  if (!clientId) {
    throw new ConfigError(
      [
        {
          field: "AZURE_CLIENT_ID",
          rule:
            "is required for `graph-mirror login` (or --client-id): the application (client) id of an app " +
            "registration with 'Allow public client flows' enabled (docs/auth.md \"Delegated setup\")",
        },
      ],
      "login settings",
    );
  }
  const settings = {
    authorityHost: config.cloud.authorityHost,
    tenant: options.tenant ?? config.tenantId ?? "common",
    clientId,
    // A secret belongs to login only for a confidential delegated client (AUTH_MODE=delegated); when the
    // service itself runs app-only with AZURE_CLIENT_SECRET, sending it would make a public client fail.
    ...(config.clientSecret && io.env.AUTH_MODE?.trim() === "delegated"
      ? { clientSecret: config.clientSecret }
      : {}),
    scopes: qualifyScopes(config.loginScopes, config.cloud.graphRoot),
    tokenFile: config.tokenFile,
  };
  const deps: LoginDependencies = {
    clock: io.clock ?? systemClock,
    logger: () => {},
    tell: (line) => io.stderr.write(`${line}\n`),
    sleep: io.sleep ?? delay,
    openBrowser: io.openBrowser ?? openInBrowser,
    ...(io.tlsCa ? { http: { ca: io.tlsCa } } : {}),
    ...(io.signal ? { signal: io.signal } : {}),
  };
  const result = options.browser
    ? await loginWithBrowser(settings, deps)
    : await loginWithDeviceCode(settings, deps);
  const assessment = assessCapability(result.scopes);
  io.stdout.write(
    `Signed in${result.user ? ` as ${result.user}` : ""}. Token saved to ${result.tokenFile} (readable only by you).\n` +
      `Expires ${new Date(result.expiresAt).toISOString()}; it is refreshed automatically.\n` +
      `Capability: ${assessment.capability}: ${assessment.explanation}.\n`,
  );
  return assessment.mayWrite ? 0 : 1;
}

const OPENID_SCOPES = new Set(["openid", "profile", "email", "offline_access"]);

/**
 * Bare scopes mean the global Graph (`Files.Read` = `https://graph.microsoft.com/Files.Read`); in a national
 * cloud they must name its Graph root (https://learn.microsoft.com/graph/deployments).
 */
export function qualifyScopes(scopes: readonly string[], graphRoot: string): string[] {
  if (graphRoot === "https://graph.microsoft.com") return [...scopes];
  return scopes.map((scope) =>
    scope.includes("/") || OPENID_SCOPES.has(scope) ? scope : `${graphRoot}/${scope}`,
  );
}

/** Best effort: the URL is printed as well, for machines without a desktop. */
async function openInBrowser(url: string): Promise<void> {
  const [command, args] =
    process.platform === "win32"
      ? ["cmd", ["/c", "start", "", url]]
      : process.platform === "darwin"
        ? ["open", [url]]
        : ["xdg-open", [url]];
  await new Promise<void>((resolve) => {
    const child = spawn(command, args, { stdio: "ignore", detached: true });
    child.once("error", () => resolve());
    child.once("spawn", () => {
      child.unref();
      resolve();
    });
  });
}
