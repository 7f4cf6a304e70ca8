/**
 * `graph-mirror auth status [--verbose] [--json]`: which credential source is in use and why, who it is,
 * when it expires, what it can do (docs/auth.md). Never prints a token. `--verbose` also logs each decision
 * (source tried, expiry, refresh attempts, fallbacks) as JSON lines on stderr, without token values.
 * Exit code: 0 when a token was obtained and may write, 1 when it is known to be read-only.
 */
import type { Command } from "commander";
import { createServices } from "../../app/services.js";
import { type ProbeResult, probeToken } from "../../auth/probe.js";
import type { AuthStatus } from "../../auth/status.js";
import { type Env, graphRootFor } from "../../config/auth.js";
import { loadConfig } from "../../config/index.js";
import { type Clock, systemClock } from "../../core/ports/common.js";

export interface AuthStatusOptions {
  readonly verbose?: boolean;
  readonly json?: boolean;
}

export interface AuthStatusIo {
  readonly env: Env;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly clock?: Clock;
  readonly tlsCa?: string;
}

export function register(program: Command): void {
  const auth = program.command("auth").description("inspect how graph-mirror authenticates");
  auth
    .command("status")
    .description("show the credential source in use and why, identity, expiry, capability and scopes")
    .option("--verbose", "log every decision (sources tried, expiry, refreshes, fallbacks) to stderr")
    .option("--json", "print the status as one JSON object")
    .action(async (options: AuthStatusOptions) => {
      process.exitCode = await authStatusCommand(options, {
        env: process.env,
        stdout: process.stdout,
        stderr: process.stderr,
      });
    });
}

export async function authStatusCommand(options: AuthStatusOptions, io: AuthStatusIo): Promise<number> {
  const clock = io.clock ?? systemClock;
  const config = loadConfig(io.env);
  if (options.verbose) {
    io.stderr.write(
      `${JSON.stringify({ event: "auth.mode", mode: config.auth.mode, selectedBy: config.auth.selectedBy })}\n`,
    );
  }
  // The root's one token provider, with this command's own decision log and CA. The Graph root stays the
  // cloud's (GRAPH_CLOUD), as this command always asked for it, even when GRAPH_BASE_URL names another host.
  const services = createServices(config, {
    clock,
    tokenOptions: {
      graphRoot: graphRootFor(config.auth),
      clock,
      ...(options.verbose ? { logger: (event) => io.stderr.write(`${JSON.stringify(event)}\n`) } : {}),
      ...(io.tlsCa ? { tlsCa: io.tlsCa } : {}),
    },
  });
  const provider = services.tokens();
  const status = await provider.status({ signal: AbortSignal.timeout(60_000) });
  // Permissions unknown (an opaque token such as the emulator's dev-token): one read call tells whether it
  // works, so a working token is not answered with "To fix: supply a token".
  const probe =
    status.capability === "unknown" && !status.scopes.length && !status.roles.length
      ? await probeToken(
          config.graph.baseUrl,
          await provider.getToken({ signal: AbortSignal.timeout(60_000) }),
          AbortSignal.timeout(15_000),
        )
      : undefined;
  io.stdout.write(
    options.json
      ? `${JSON.stringify(probe ? { ...status, probe } : status)}\n`
      : formatStatus(status, clock.now(), probe),
  );
  return status.mayWrite ? 0 : 1;
}

export function formatStatus(status: AuthStatus, now: number, probe?: ProbeResult): string {
  const rows: [string, string | undefined][] = [
    ["Source", status.source],
    ["Selected by", status.selectedBy],
    ["Kind", status.kind === "application" ? "app-only (application permissions)" : status.kind],
    ["Tenant", status.tenantId],
    ["App", status.appId],
    ["User", status.user],
    [
      "Expires",
      status.expiresAt !== undefined
        ? `${new Date(status.expiresAt).toISOString()} (${relative(status.expiresAt - now)})`
        : "unknown",
    ],
    ["Capability", `${status.capability}: ${status.explanation}`],
    ["Scopes", status.scopes.length > 0 ? status.scopes.join(" ") : undefined],
    ["Roles", status.roles.length > 0 ? status.roles.join(" ") : undefined],
    ...status.notes.map((note): [string, string] => ["Fallback", note]),
    ["Checked", probe?.summary],
    ["To fix", status.capability === "full" || probe?.ok ? undefined : status.guidance],
  ];
  return rows
    .filter((row): row is [string, string] => row[1] !== undefined)
    .map(([label, value]) => `${`${label}:`.padEnd(13)}${value}\n`)
    .join("");
}

function relative(ms: number): string {
  const minutes = Math.round(Math.abs(ms) / 60_000);
  const text = minutes >= 120 ? `${Math.round(minutes / 60)} h` : `${minutes} min`;
  return ms >= 0 ? `in ${text}` : `${text} ago`;
}
