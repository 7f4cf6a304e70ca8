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
 * Each step is a file of its own: startStorage.ts, startGraph.ts, startFunctions.ts, startFirstPass.ts; what
 * they share (the settings they fill in, what to stop) is startRun.ts.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { createServices } from "../../app/services.js";
import { loadConfig } from "../../config/index.js";
import { mergeSettings, readLocalSettings } from "../../localhost/localSettings.js";
import { parseLocalHostSettings } from "../../localhost/settings.js";
import { loadMirrorDefinitions } from "../../mirror/settings.js";
import { runFirstPass, sweepAfterRestart } from "./startFirstPass.js";
import { startFunctions } from "./startFunctions.js";
import { provideEmulator } from "./startGraph.js";
import { StartLifecycle, type StartRun } from "./startRun.js";
import { provideStorage } from "./startStorage.js";

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
  const env = mergeSettings(await readLocalSettings(APP_DIR), process.env);
  if (options.port !== undefined) env.PORT = options.port;
  const { ports, emulatorHttps } = parseLocalHostSettings(env);
  const dataDir = path.resolve(options.dataDir ?? APP_DIR);
  const life = new StartLifecycle();
  const run: StartRun = {
    env,
    ports,
    dataDir,
    logDir: path.join(dataDir, ".local", "logs"),
    say: (line) => process.stdout.write(`${line}\n`),
    life,
  };
  // Ctrl-C at any point (even during the first pass) stops everything started so far.
  const onSignal = () => life.interrupted.abort(new Error("interrupted"));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const exitCode = await runUntilStopped(run, options, emulatorHttps);
    await life.stopAll();
    process.exitCode = exitCode === 130 ? 0 : exitCode;
  } catch (err: unknown) {
    await life.stopAll();
    if (life.interrupted.signal.aborted) {
      process.exitCode = 0;
      return;
    }
    throw err;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

/** Steps 2 to 5, then waits for Ctrl-C or a child's end; the exit code (130 for Ctrl-C). */
async function runUntilStopped(
  run: StartRun,
  options: StartOptions,
  emulatorHttps: boolean,
): Promise<number> {
  // Validate before starting or creating anything: bad settings change nothing (docs/design.md invariant 6).
  const given = loadConfig(run.env);
  run.say("graph-mirror start");
  await provideStorage(run);
  let emulatorItems: string | undefined;
  if (given.auth.mode === "none") emulatorItems = await provideEmulator(run, emulatorHttps);
  else run.say(`  graph     ${given.graph.baseUrl} (${given.auth.mode})`);
  // The settings as the functions will read them: storage, Graph and the sample mirror are now filled in.
  const services = createServices(loadConfig(run.env));
  const definitions =
    run.env.MIRRORS?.trim() || run.env.MIRRORS_FILE?.trim()
      ? await loadMirrorDefinitions(services.config.mirror)
      : undefined;
  const port = await startFunctions(run, {
    appDir: APP_DIR,
    coreTools: options.coreTools,
    echo: options.json === true,
  });
  const sweepOnce = sweepAfterRestart(port, services.config.pipeline);
  run.life.onStop(async () => clearTimeout(sweepOnce));
  await runFirstPass(run, services, { port, definitions, emulatorItems });
  run.say("");
  run.say(`API listening on http://localhost:${port}/api — Ctrl-C to stop`);
  return run.life.ended();
}
