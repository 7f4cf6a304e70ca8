/**
 * `graph-mirror emulator`: runs the local Microsoft Graph drive emulator (docs/emulator.md) until SIGINT or
 * SIGTERM, in memory unless --data DIR is given (then durable: DIR keeps drives, files and upload sessions across
 * restarts). Prints the Graph base URL, the upload origin and the accepted token (a dev value from the seed, not a
 * secret). Options are validated before anything starts.
 */
import { mkdir, readFile } from "node:fs/promises";
import type { Command } from "commander";
import { ConfigError, type FieldProblem } from "../../core/shared/validationError.js";
import {
  EMULATOR_PROFILES,
  type EmulatorProfile,
  MAX_LATENCY_MS,
  parseSeed,
  type RunningEmulator,
  startEmulator,
} from "../../emulator/index.js";
import { cliEnvironmentLines } from "../emulatorEnvironment.js";

/** Fixed defaults so a local configuration can point at the emulator (Azurite uses 10000-10002). */
export const DEFAULT_EMULATOR_PORT = 10010;
export const DEFAULT_EMULATOR_UPLOAD_PORT = 10011;

export interface EmulatorCommandOptions {
  readonly port: string;
  readonly uploadPort: string;
  readonly host: string;
  readonly data?: string;
  readonly seed?: string;
  /** `field` (default) or `lenient` (docs/emulator.md "Profiles"). */
  readonly profile?: string;
  /** Serve both hosts over TLS with a local CA (docs/emulator.md "HTTPS"). */
  readonly https?: boolean;
  /** Also run the CONNECT proxy that answers as graph.microsoft.com on this port (implies --https). */
  readonly proxyPort?: string;
  /** Answer every Graph and upload request no sooner than this many ms after its last byte arrived (docs/emulator.md "Latency"). */
  readonly latencyMs?: string;
}

export function register(program: Command): void {
  program
    .command("emulator")
    .description(
      "run the local Microsoft Graph drive emulator (strict, with fault injection; see docs/emulator.md)",
    )
    .option("--port <n>", "port of the Graph API host (0 = any free port)", String(DEFAULT_EMULATOR_PORT))
    .option(
      "--upload-port <n>",
      "port of the upload host (0 = any free port)",
      String(DEFAULT_EMULATOR_UPLOAD_PORT),
    )
    .option("--host <address>", "interface to listen on", "127.0.0.1")
    .option(
      "--data <dir>",
      "keep drives, files and open upload sessions in this folder across restarts (default: memory)",
    )
    .option(
      "--seed <file>",
      "JSON seed: tenants, sites, libraries, users, tokens (default: the built-in seed)",
    )
    .option(
      "--profile <name>",
      "field: play the real service's documented and reported behaviours; lenient: the forgiving emulator",
      "field",
    )
    .option(
      "--https",
      "serve both hosts over HTTPS with a certificate from a local CA kept in the data folder (or .local/emulator-ca)",
    )
    .option(
      "--proxy-port <n>",
      "also run a local CONNECT proxy on this port that answers as graph.microsoft.com (implies --https; 0 = any free port)",
    )
    .option(
      "--latency-ms <n>",
      "answer every Graph and upload request no sooner than n ms after its last byte (a WAN round trip; default 0)",
    )
    .action(async (options: EmulatorCommandOptions) => {
      const { emulator, banner } = await startEmulatorCommand(options);
      process.stdout.write(banner);
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      await emulator.close();
    });
}

function port(value: string, field: string, problems: FieldProblem[]): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65_535)
    problems.push({ field, rule: "must be a port number from 0 to 65535" });
  return n;
}

/** Up to MAX_LATENCY_MS (the emulator's own bound). */
function latency(value: string | undefined, problems: FieldProblem[]): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > MAX_LATENCY_MS)
    problems.push({
      field: "--latency-ms",
      rule: `must be a whole number of milliseconds from 0 to ${MAX_LATENCY_MS}`,
    });
  return n;
}

function profile(value: string | undefined, problems: FieldProblem[]): EmulatorProfile {
  const found = EMULATOR_PROFILES.find((p) => p === (value ?? "field"));
  if (!found) problems.push({ field: "--profile", rule: "must be field or lenient" });
  return found ?? "field";
}

async function loadSeed(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err: unknown) {
    const reason = err instanceof Error && "code" in err ? String(err.code) : "unreadable";
    throw new ConfigError([{ field: "--seed", rule: `must be a readable file (${reason})` }]);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ConfigError([{ field: "--seed", rule: "must contain valid JSON" }]);
  }
}

/** What a client needs to reach the emulator over HTTPS: the CA to trust and where to point (never a key). */
function httpsLines(emulator: RunningEmulator): string[] {
  if (!emulator.tls) return [];
  const graphHost = new URL(emulator.graphBaseUrl).hostname;
  const lines = [
    `  Local CA       : ${emulator.tls.caPath} (throwaway; trust it only on this machine)`,
    `  For a Node.js client (Graph SDK: customHosts = [${JSON.stringify(graphHost)}]):`,
    `    NODE_EXTRA_CA_CERTS=${emulator.tls.caPath}`,
    `    GRAPH_BASE_URL=${emulator.graphBaseUrl}`,
  ];
  if (emulator.proxyUrl) {
    lines.push(
      `  CONNECT proxy  : ${emulator.proxyUrl} answers as https://graph.microsoft.com (loopback clients only)`,
      "  For rclone and other clients that keep graph.microsoft.com:",
      `    HTTPS_PROXY=${emulator.proxyUrl}`,
      `    SSL_CERT_FILE=${emulator.tls.caPath}`,
    );
  }
  return lines;
}

export async function startEmulatorCommand(
  options: EmulatorCommandOptions,
): Promise<{ emulator: RunningEmulator; banner: string }> {
  const problems: FieldProblem[] = [];
  const graphPort = port(options.port, "--port", problems);
  const uploadPort = port(options.uploadPort, "--upload-port", problems);
  if (graphPort !== 0 && graphPort === uploadPort) {
    problems.push({ field: "--upload-port", rule: "must differ from --port" });
  }
  const chosenProfile = profile(options.profile, problems);
  const proxyPort =
    options.proxyPort === undefined ? undefined : port(options.proxyPort, "--proxy-port", problems);
  const latencyMs = latency(options.latencyMs, problems);
  if (problems.length > 0) throw new ConfigError(problems, "emulator options");
  const seed = options.seed
    ? parseSeed(await loadSeed(options.seed), `seed file ${options.seed}`)
    : undefined;
  if (options.data) await mkdir(options.data, { recursive: true });
  const emulator = await startEmulator({
    host: options.host,
    profile: chosenProfile,
    graphPort,
    uploadPort,
    ...(seed ? { seed } : {}),
    ...(options.data ? { dataDir: options.data } : {}),
    ...(options.https || proxyPort !== undefined ? { https: true } : {}),
    ...(proxyPort !== undefined ? { proxy: { port: proxyPort } } : {}),
    ...(latencyMs !== undefined ? { latencyMs } : {}),
  });
  const [token, ...others] = emulator.acceptedTokens;
  const lines = [
    "Microsoft Graph drive emulator running (Ctrl+C to stop)",
    `  Graph base URL : ${emulator.graphBaseUrl}`,
    `  Upload origin  : ${emulator.uploadOrigin}`,
    `  Accepted token : ${token ?? "(none)"}${others.length > 0 ? ` (and ${others.length} more in the seed)` : ""}`,
    `  Profile        : ${emulator.profile}${emulator.profile === "field" ? " (the real service's quirks on)" : " (forgiving)"}`,
    ...(latencyMs ? [`  Latency        : ${latencyMs} ms per request (a modelled round trip)`] : []),
    `  Storage        : ${options.data ? `${options.data} (kept across restarts)` : "memory (lost at exit)"}`,
    `  Control API    : ${emulator.graphBaseUrl.replace(/\/v1\.0$/, "")}/_emulator/info`,
    "  Drives:",
    ...emulator.drives.map((d) => `    ${d.id}  ${d.webUrl}`),
    ...(token ? cliEnvironmentLines(emulator.graphBaseUrl, token, emulator.tls?.caPath) : []),
    ...httpsLines(emulator),
  ];
  return { emulator, banner: `${lines.join("\n")}\n` };
}
