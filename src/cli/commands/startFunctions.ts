/**
 * `graph-mirror start`, step 4 (start.ts): the functions. `func start` when Core Tools is on PATH (with
 * FUNCTIONS_WORKER_RUNTIME=node, and a local.settings.json made from the sample when there is none:
 * coreToolsSetup.ts), else the built-in local host, on PORT (default 7071). Their JSON logs go to
 * `<data dir>/.local/logs/functions.log` (and to the terminal with --json).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { portListening, stopChild } from "../../localhost/azurite.js";
import { findOnPath } from "../../localhost/coreTools.js";
import {
  coreToolsEnv,
  ensureLocalSettings,
  LOCAL_SETTINGS,
  LOCAL_SETTINGS_SAMPLE,
} from "../../localhost/coreToolsSetup.js";
import type { StartRun } from "./startRun.js";

export interface FunctionsOptions {
  /** The package folder: dist/, host.json, local.settings.json. */
  readonly appDir: string;
  readonly coreTools: boolean;
  /** Also copy the functions' output to this terminal. */
  readonly echo: boolean;
}

/** Starts the functions and waits until they listen; returns their HTTP port. */
export async function startFunctions(run: StartRun, options: FunctionsOptions): Promise<number> {
  const { env } = run;
  const { appDir } = options;
  mkdirSync(run.logDir, { recursive: true });
  const logFile = path.join(run.logDir, "functions.log");
  const log = createWriteStream(logFile, { flags: "a" });
  run.life.onStop(() => new Promise<void>((resolve) => log.end(() => resolve())));
  const func = options.coreTools ? findOnPath("func", env) : undefined;
  if (!func && !existsSync(path.join(appDir, "dist", "src", "index.js")))
    throw new Error("dist/ is missing: run npm install (or npm run build) first");
  if (func && (await ensureLocalSettings(appDir)) === "created")
    run.say(`  settings  ${LOCAL_SETTINGS} created from ${LOCAL_SETTINGS_SAMPLE} for Core Tools`);
  const child: ChildProcess = func
    ? spawn(func, ["start", "--port", String(run.ports.functions)], {
        cwd: appDir,
        env: coreToolsEnv(env),
        stdio: "pipe",
      })
    : spawn(process.execPath, [path.join(appDir, "dist", "src", "localhost", "main.js")], {
        cwd: appDir,
        env: { ...env, APP_DIR: appDir },
        stdio: ["ignore", "pipe", "pipe"],
      });
  run.life.onStop(() => stopChild(child));
  const name = func ? "Azure Functions Core Tools (func start)" : "the built-in local host";
  run.life.children.watch(name, child, `its log is ${logFile}`);
  const exited = new Promise<number>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0))),
  );
  const port = await functionsReady(child, func ? run.ports.functions : undefined, log, options.echo, exited);
  run.say(
    `  functions ${func ? "Azure Functions Core Tools (func start)" : "built-in local host"} on http://localhost:${port}/api, logs in ${logFile}`,
  );
  return port;
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
