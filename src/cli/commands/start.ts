/**
 * `graph-mirror start` (`npm start`): everything a fresh machine needs to run the Functions app locally.
 * 1. Settings: local.settings.json's Values under the real environment (as Core Tools reads them).
 * 2. Storage: when AzureWebJobsStorage is `UseDevelopmentStorage=true` or unset, reuse an Azurite listening on
 *    10000-10002, or start one whose data persists under `.azurite/`.
 * 3. Graph: when no tenant is configured (no GRAPH_ACCESS_TOKEN, no AZURE_* credentials), start the Graph
 *    emulator in this process and point GRAPH_BASE_URL and GRAPH_ACCESS_TOKEN at it.
 * 4. Functions: `func start` when Core Tools is on PATH, else the built-in local host (src/localhost), on PORT
 *    (default 7071).
 * Builds nothing (npm install's `prepare` compiled dist/). Ctrl-C stops everything this command started.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { parseAuthConfig } from "../../config/auth.js";
import {
  type AzuriteProcess,
  azuriteListening,
  isDevelopmentStorage,
  startPersistentAzurite,
  stopChild,
} from "../../localhost/azurite.js";
import { findOnPath } from "../../localhost/coreTools.js";
import { mergeSettings, readLocalSettings } from "../../localhost/localSettings.js";

/** The package folder (dist/src/cli/commands/start.js -> four levels up). */
const APP_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");

export function register(program: Command): void {
  program
    .command("start")
    .description(
      "run the Functions app locally: Azurite and the Graph emulator when needed, then `func start` or the built-in host",
    )
    .option("--port <port>", "HTTP port of the functions (default: PORT or 7071)")
    .option(
      "--no-core-tools",
      "use the built-in local host even when Azure Functions Core Tools is installed",
    )
    .action(async (options: { port?: string; coreTools: boolean }) => {
      await start(options);
    });
}

async function start(options: { port?: string; coreTools: boolean }): Promise<void> {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const env = mergeSettings(await readLocalSettings(APP_DIR), process.env);
  const port = options.port ?? env.PORT ?? "7071";
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535)
    throw new Error("--port / PORT must be a TCP port number");
  env.PORT = port;
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };

  try {
    say("graph-mirror start");
    if (isDevelopmentStorage(env.AzureWebJobsStorage)) {
      env.AzureWebJobsStorage = "UseDevelopmentStorage=true";
      const listening = await azuriteListening();
      if (listening === 3) say("  storage   Azurite already running on 127.0.0.1:10000-10002 (reused)");
      else if (listening > 0)
        throw new Error(
          "some of the Azurite ports 10000-10002 are taken by something else: stop it, or set AzureWebJobsStorage",
        );
      else {
        const azurite: AzuriteProcess = await startPersistentAzurite(APP_DIR);
        stops.push(azurite.stop);
        say(
          `  storage   Azurite started on 127.0.0.1:10000-10002, data in ${path.join(APP_DIR, ".azurite")}`,
        );
      }
    } else say("  storage   AzureWebJobsStorage from the settings");

    const auth = parseAuthConfig(env);
    if (auth.mode === "none") {
      const { startEmulator, DEFAULT_TOKEN } = await import("../../emulator/index.js");
      const emulator = await startEmulator();
      stops.push(() => emulator.close());
      env.GRAPH_BASE_URL = emulator.graphBaseUrl;
      env.GRAPH_ACCESS_TOKEN = DEFAULT_TOKEN;
      say(
        `  graph     emulator at ${emulator.graphBaseUrl} (uploads at ${emulator.uploadOrigin}; in memory)`,
      );
    } else say(`  graph     ${env.GRAPH_BASE_URL ?? "https://graph.microsoft.com/v1.0"} (${auth.mode})`);

    const func = options.coreTools ? findOnPath("func", env) : undefined;
    const child: ChildProcess = func
      ? spawn(func, ["start", "--port", port], { cwd: APP_DIR, env, stdio: "inherit" })
      : spawn(process.execPath, [path.join(APP_DIR, "dist", "src", "localhost", "main.js")], {
          cwd: APP_DIR,
          env: { ...env, APP_DIR },
          stdio: "inherit",
        });
    stops.push(() => stopChild(child));
    say(
      func
        ? `  functions Azure Functions Core Tools (func start) on http://localhost:${port}/api`
        : `  functions built-in local host on http://127.0.0.1:${port}/api (Core Tools not found on PATH)`,
    );
    if (!existsSync(path.join(APP_DIR, "dist", "src", "index.js")))
      say("  warning   dist/ is missing: run npm install (or npm run build) first");
    say("Press Ctrl-C to stop everything started here.\n");

    const exitCode = await new Promise<number>((resolve) => {
      const onSignal = () => resolve(130);
      process.once("SIGINT", onSignal);
      process.once("SIGTERM", onSignal);
      child.once("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
    await stopAll();
    process.exitCode = exitCode === 130 ? 0 : exitCode;
  } catch (err: unknown) {
    await stopAll();
    throw err;
  }
}
