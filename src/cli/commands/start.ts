/**
 * `graph-mirror start` (`npm start`): everything a fresh machine needs to run the Functions app locally, and
 * with no tenant configured a first mirror pass the user can watch (docs/local-development.md).
 * 1. Settings: local.settings.json's Values under the real environment (as Core Tools reads them); ports from
 *    src/localhost/settings.ts.
 * 2. Storage: when AzureWebJobsStorage is `UseDevelopmentStorage=true` or unset, reuse an Azurite listening on
 *    its ports, or start one whose data persists under `<data dir>/.azurite/`.
 * 3. Graph: when no tenant is configured, start the Graph emulator in this process, persistent under
 *    `<data dir>/.local/emulator` (Azurite's manifest persists, so a forgetful emulator would make change
 *    detection lie), and point GRAPH_BASE_URL and GRAPH_ACCESS_TOKEN at it. EMULATOR_HTTPS=true serves it over
 *    HTTPS and hands the functions NODE_EXTRA_CA_CERTS for its local CA. Then, unless MIRRORS or
 *    MIRRORS_FILE is set, the bundled sample mirror is used (src/mirror/sample.ts).
 * 4. Functions: `func start` when Core Tools is on PATH (with FUNCTIONS_WORKER_RUNTIME=node, and a
 *    local.settings.json made from the sample when there is none: coreToolsSetup.ts), else the built-in local
 *    host, on PORT (default 7071).
 *    Their JSON logs go to `<data dir>/.local/logs/functions.log` (and to the terminal with --json).
 * 5. With mirrors defined, one mirror pass now, locally only: the registered mirror timer is run once through
 *    the host's admin API (`POST /admin/functions/mirrorTimer`), never through `runOnStartup`, which would fire
 *    in Azure on every restart and scale-out (docs/platform.md). Its uploads are followed with progress bars, then
 *    each file's destination, link and verification are printed.
 * Builds nothing (npm install's `prepare` compiled dist/). Ctrl-C stops everything this command started.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { parseAuthConfig } from "../../config/auth.js";
import { parseGraphConfig } from "../../config/graph.js";
import { type PipelineConfig, parsePipelineConfig } from "../../config/pipeline.js";
import { parseStorageConfig } from "../../config/storage.js";
import {
  type AzuriteProcess,
  azuriteListening,
  devStorageConnectionString,
  isDevelopmentStorage,
  portListening,
  startPersistentAzurite,
  stopChild,
} from "../../localhost/azurite.js";
import { ChildWatch } from "../../localhost/childExit.js";
import { findOnPath } from "../../localhost/coreTools.js";
import {
  coreToolsEnv,
  ensureLocalSettings,
  LOCAL_SETTINGS,
  LOCAL_SETTINGS_SAMPLE,
} from "../../localhost/coreToolsSetup.js";
import { followFirstPass, formatFirstPass } from "../../localhost/firstPass.js";
import { mergeSettings, readLocalSettings } from "../../localhost/localSettings.js";
import { parseLocalHostSettings } from "../../localhost/settings.js";
import { defaultSampleDir, ensureSampleFiles, sampleMirrorEnv } from "../../mirror/sample.js";
import { loadMirrorDefinitions, parseMirrorSettings } from "../../mirror/settings.js";
import { createMirrorStores } from "../../mirror/storage.js";
import { createStorage } from "../../store/factory.js";
import { cliEnvironmentLines } from "../emulatorEnvironment.js";

/** The package folder (dist/src/cli/commands/start.js -> four levels up). */
const APP_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");

interface StartOptions {
  readonly port?: string;
  readonly coreTools: boolean;
  readonly json?: boolean;
  readonly dataDir?: string;
}

export function register(program: Command): void {
  program
    .command("start")
    .description(
      "run the Functions app locally: Azurite and the Graph emulator when needed, then `func start` or the built-in host",
    )
    .option("--port <port>", "HTTP port of the functions (default: PORT or 7071; 0 picks a free port)")
    .option(
      "--no-core-tools",
      "use the built-in local host even when Azure Functions Core Tools is installed",
    )
    .option("--json", "also print the functions' JSON logs here (always in <data dir>/.local/logs)")
    .option("--data-dir <dir>", "where .azurite/ and .local/ live (default: the package folder)")
    .action(async (options: StartOptions) => {
      await start(options);
    });
}

async function start(options: StartOptions): Promise<void> {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const env = mergeSettings(await readLocalSettings(APP_DIR), process.env);
  if (options.port !== undefined) env.PORT = options.port;
  const { ports, emulatorHttps } = parseLocalHostSettings(env);
  const dataDir = path.resolve(options.dataDir ?? APP_DIR);
  const logDir = path.join(dataDir, ".local", "logs");
  const stops: (() => Promise<void>)[] = [];
  // Azurite goes last: the functions may still write rows while they stop (src/localhost/azurite.ts).
  let stopAzurite: (() => Promise<void>) | undefined;
  const children = new ChildWatch((line) => process.stderr.write(`${line}\n`));
  const stopAll = async () => {
    children.stopping = true;
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await stopAzurite?.().catch(() => undefined);
  };
  // Ctrl-C at any point (even during the first pass) stops everything started so far.
  const interrupted = new AbortController();
  const onSignal = () => interrupted.abort(new Error("interrupted"));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  try {
    // Validate before starting or creating anything: bad settings change nothing (docs/design.md invariant 6).
    const auth = parseAuthConfig(env);
    const graphUrl = auth.mode === "none" ? undefined : parseGraphConfig(env).baseUrl;
    say("graph-mirror start");
    if (isDevelopmentStorage(env.AzureWebJobsStorage)) {
      const azurite = { blob: ports.azuriteBlob, queue: ports.azuriteQueue, table: ports.azuriteTable };
      const range = `127.0.0.1:${azurite.blob}-${azurite.table}`;
      env.AzureWebJobsStorage = devStorageConnectionString(azurite);
      const listening = await azuriteListening(azurite);
      if (listening === 3) say(`  storage   Azurite already running on ${range} (reused)`);
      else if (listening > 0)
        throw new Error(
          `some of the Azurite ports (${azurite.blob}, ${azurite.queue}, ${azurite.table}) are taken by something else: stop it, set AZURITE_*_PORT, or set AzureWebJobsStorage`,
        );
      else {
        const started: AzuriteProcess = await startPersistentAzurite(dataDir, azurite);
        mkdirSync(logDir, { recursive: true });
        const azuriteLogFile = path.join(logDir, "azurite.log");
        const azuriteLog = createWriteStream(azuriteLogFile, { flags: "a" });
        started.child.stdout?.on("data", (d: Buffer) => azuriteLog.write(d));
        started.child.stderr?.on("data", (d: Buffer) => azuriteLog.write(d));
        // Azurite stops last (its final save may still print), then its log closes.
        stopAzurite = async () => {
          await started.stop();
          await new Promise<void>((resolve) => azuriteLog.end(() => resolve()));
        };
        children.watch("Azurite", started.child, `its output is in ${azuriteLogFile}`);
        say(`  storage   Azurite on ${range}, data in ${path.join(dataDir, ".azurite")}`);
      }
    } else say("  storage   AzureWebJobsStorage from the settings");

    let emulatorItems: string | undefined;
    if (auth.mode === "none") {
      const { startEmulator, DEFAULT_TOKEN } = await import("../../emulator/index.js");
      const emulatorDir = path.join(dataDir, ".local", "emulator");
      const emulator = await startEmulator({
        dataDir: emulatorDir,
        graphPort: ports.emulatorGraph,
        uploadPort: ports.emulatorUpload,
        // The CA is kept beside the emulator's data (<dir>/tls), so trust survives restarts.
        ...(emulatorHttps ? { https: true } : {}),
      });
      stops.push(() => emulator.close());
      env.GRAPH_BASE_URL = emulator.graphBaseUrl;
      env.GRAPH_ACCESS_TOKEN = DEFAULT_TOKEN;
      // The functions run in a child process: Node reads extra trusted CAs only at its start, from this variable.
      if (emulator.tls) env.NODE_EXTRA_CA_CERTS = emulator.tls.caPath;
      emulatorItems = `${new URL(emulator.graphBaseUrl).origin}/_emulator/items`;
      say(`  graph     Graph emulator at ${emulator.graphBaseUrl}, data in ${emulatorDir}`);
      if (emulator.tls) say(`            HTTPS, trusting the local CA ${emulator.tls.caPath}`);
      for (const line of cliEnvironmentLines(emulator.graphBaseUrl, DEFAULT_TOKEN, emulator.tls?.caPath))
        say(`          ${line}`);
      if (!env.MIRRORS?.trim() && !env.MIRRORS_FILE?.trim()) {
        const sampleDir = defaultSampleDir();
        await ensureSampleFiles(sampleDir);
        Object.assign(env, sampleMirrorEnv(sampleDir, env));
        say(`  mirror    the bundled sample: ${sampleDir} -> /sites/Ops (Documents) and Adele's OneDrive`);
      }
    } else say(`  graph     ${graphUrl} (${auth.mode})`);

    const definitions =
      env.MIRRORS?.trim() || env.MIRRORS_FILE?.trim()
        ? await loadMirrorDefinitions(parseMirrorSettings(env))
        : undefined;

    mkdirSync(logDir, { recursive: true });
    const logFile = path.join(logDir, "functions.log");
    const log = createWriteStream(logFile, { flags: "a" });
    stops.push(() => new Promise<void>((resolve) => log.end(() => resolve())));
    const func = options.coreTools ? findOnPath("func", env) : undefined;
    if (!func && !existsSync(path.join(APP_DIR, "dist", "src", "index.js")))
      throw new Error("dist/ is missing: run npm install (or npm run build) first");
    if (func && (await ensureLocalSettings(APP_DIR)) === "created")
      say(`  settings  ${LOCAL_SETTINGS} created from ${LOCAL_SETTINGS_SAMPLE} for Core Tools`);
    const child: ChildProcess = func
      ? spawn(func, ["start", "--port", String(ports.functions)], {
          cwd: APP_DIR,
          env: coreToolsEnv(env),
          stdio: "pipe",
        })
      : spawn(process.execPath, [path.join(APP_DIR, "dist", "src", "localhost", "main.js")], {
          cwd: APP_DIR,
          env: { ...env, APP_DIR },
          stdio: ["ignore", "pipe", "pipe"],
        });
    stops.push(() => stopChild(child));
    children.watch(
      func ? "Azure Functions Core Tools (func start)" : "the built-in local host",
      child,
      `its log is ${logFile}`,
    );
    const exited = new Promise<number>((resolve) =>
      child.once("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0))),
    );
    const port = await functionsReady(
      child,
      func ? ports.functions : undefined,
      log,
      options.json === true,
      exited,
    );
    const api = `http://localhost:${port}/api`;
    say(
      `  functions ${func ? "Azure Functions Core Tools (func start)" : "built-in local host"} on ${api}, logs in ${logFile}`,
    );

    const sweepOnce = sweepAfterRestart(port, parsePipelineConfig(env));
    stops.push(async () => clearTimeout(sweepOnce));
    const mirrors = definitions?.valid.map((m) => m.name) ?? [];
    for (const invalid of definitions?.invalid ?? [])
      say(`  ! mirror ${invalid.mirror} is invalid: ${invalid.error.message}`);
    if (mirrors.length > 0) {
      say("");
      say(`Mirror pass at start (${mirrors.join(", ")}):`);
      const storageConfig = parseStorageConfig(env);
      const stores = createMirrorStores(storageConfig);
      await stores.ensureTables(AbortSignal.timeout(30_000));
      const since = Date.now() - 1_000;
      const admin = await fetch(`http://127.0.0.1:${port}/admin/functions/mirrorTimer`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
        signal: AbortSignal.timeout(30_000),
      });
      if (admin.status !== 202) throw new Error(`the host refused to run mirrorTimer (HTTP ${admin.status})`);
      const pass = await followFirstPass({
        history: stores.history,
        manifest: stores.manifest,
        jobs: createStorage(storageConfig).jobs,
        mirrors,
        since,
        out: process.stdout,
        signal: interrupted.signal,
      });
      const look = [
        ...(emulatorItems
          ? [`curl -s ${emulatorItems}      (the emulator's control API: every stored item)`]
          : []),
        `${env.AzureWebJobsStorage === "UseDevelopmentStorage=true" ? "AzureWebJobsStorage=UseDevelopmentStorage=true " : ""}npx graph-mirror status --azure      (runs and jobs, from the tables)`,
      ];
      for (const line of formatFirstPass(pass, look)) say(line);
    }
    say("");
    say(`API listening on ${api} — Ctrl-C to stop`);

    const exitCode = await Promise.race([
      children.ended,
      new Promise<number>((resolve) => interrupted.signal.addEventListener("abort", () => resolve(130))),
    ]);
    await stopAll();
    process.exitCode = exitCode === 130 ? 0 : exitCode;
  } catch (err: unknown) {
    await stopAll();
    if (interrupted.signal.aborted) {
      process.exitCode = 0;
      return;
    }
    throw err;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

/**
 * Local only: one sweep, through the host's admin API, as soon as a job left behind by a killed run can count as
 * overdue (its lease and the sweeper's grace passed). A run killed between writing a job's row and sending its
 * continuation leaves a job only the sweeper finds, and its timer fires every 5 minutes on the clock; after a
 * restart that could be the longest wait of all (issue 16). Never `runOnStartup`, which would fire in Azure on
 * every restart and scale-out (docs/platform.md).
 */
function sweepAfterRestart(port: number, pipeline: PipelineConfig): NodeJS.Timeout {
  const timer = setTimeout(
    () => {
      void fetch(`http://127.0.0.1:${port}/admin/functions/uploadSweeper`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
        signal: AbortSignal.timeout(30_000),
      }).catch(() => undefined);
    },
    pipeline.leaseMs + pipeline.sweepGraceMs + 1_000,
  );
  timer.unref();
  return timer;
}

/**
 * Waits until the functions listen, copying their output to the log (and the terminal with --json). The
 * built-in host prints its port (PORT=0 picks one); Core Tools is polled on its port.
 */
async function functionsReady(
  child: ChildProcess,
  /** Core Tools' port, polled; undefined for the built-in host, which prints its port. */
  pollPort: number | undefined,
  log: NodeJS.WritableStream,
  echo: boolean,
  exited: Promise<number>,
): Promise<number> {
  let recent = "";
  let found: number | undefined;
  const onData = (data: Buffer) => {
    log.write(data);
    if (echo) process.stdout.write(data);
    if (found === undefined) {
      recent = (recent + data.toString()).slice(-4096);
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(recent);
      if (match) found = Number(match[1]);
    }
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (gone) throw new Error(`the functions exited during start; see the log:\n${recent}`);
    if (found !== undefined) return found;
    if (pollPort !== undefined && (await portListening(pollPort))) return pollPort;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the functions did not listen within 60 s:\n${recent}`);
}
