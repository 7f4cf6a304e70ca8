/**
 * Azurite for `graph-mirror start`: reused when something already listens on its ports (default 10000 blob,
 * 10001 queue, 10002 table; AZURITE_*_PORT, src/localhost/settings.ts), else started as a child process that keeps its data under the git-ignored
 * `.azurite/` folder. docs/platform.md: run its script (its package main is a VS Code extension), always with
 * --disableTelemetry, and fail fast if it exits early.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import path from "node:path";

export interface AzuritePorts {
  readonly blob: number;
  readonly queue: number;
  readonly table: number;
}

export const AZURITE_PORTS: AzuritePorts = { blob: 10000, queue: 10001, table: 10002 };

/** Azurite's well-known development account (public, documented by Microsoft; not a secret). */
const DEV_ACCOUNT = "devstoreaccount1";
const DEV_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/** `UseDevelopmentStorage=true` on the default ports; elsewhere the explicit form it stands for. */
export function devStorageConnectionString(ports: AzuritePorts): string {
  if (ports.blob === 10000 && ports.queue === 10001 && ports.table === 10002)
    return "UseDevelopmentStorage=true";
  return explicitDevStorageConnectionString(ports);
}

/** The development account's full connection string for Azurite on these ports. */
export function explicitDevStorageConnectionString(ports: AzuritePorts): string {
  const endpoint = (port: number) => `http://127.0.0.1:${port}/${DEV_ACCOUNT}`;
  return (
    `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY};` +
    `BlobEndpoint=${endpoint(ports.blob)};QueueEndpoint=${endpoint(ports.queue)};TableEndpoint=${endpoint(ports.table)};`
  );
}

export interface AzuriteProcess {
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

export function isDevelopmentStorage(connection: string | undefined): boolean {
  return (
    connection === undefined ||
    connection.trim() === "" ||
    /^UseDevelopmentStorage=true;?$/i.test(connection.trim())
  );
}

export function portListening(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (result: boolean) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/** How many of the three ports are taken: 3 = an Azurite is running, 0 = free to start one. */
export async function azuriteListening(ports: AzuritePorts = AZURITE_PORTS): Promise<number> {
  const results = await Promise.all(
    [ports.blob, ports.queue, ports.table].map((port) => portListening(port)),
  );
  return results.filter(Boolean).length;
}

/**
 * Azurite's entry script. Its package `main` is a VS Code extension, so `require("azurite")` fails: run the
 * script as a child process instead (docs/platform.md "Azurite").
 */
export function azuriteScript(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve("azurite/package.json")), "dist", "src", "azurite.js");
}

/**
 * Azurite for `graph-mirror start`, with its data on disk. It keeps its tables and queues in memory and saves
 * them every 5 seconds (its LokiJS autosave) and when it closes: a SIGKILL loses up to 5 s of writes, and a
 * row rolled back that far can name an upload session that was already replaced (issue 16). So it runs in its
 * own process group, where a terminal's Ctrl-C (sent to the whole foreground group) does not reach it, and is
 * stopped by `stop()`, last, with SIGINT, waiting for it to close and save. Its pid is written next to its data,
 * so a person (or a test) can find an Azurite left behind by a start that was itself killed.
 */
export async function startPersistentAzurite(
  appDir: string,
  ports: AzuritePorts = AZURITE_PORTS,
): Promise<AzuriteProcess> {
  const location = path.join(appDir, ".azurite");
  mkdirSync(location, { recursive: true });
  const azurite = await spawnAzurite({ location }, ports, { ownProcessGroup: true });
  if (azurite.child.pid !== undefined) writeFileSync(path.join(location, PID_FILE), `${azurite.child.pid}\n`);
  return {
    child: azurite.child,
    stop: async () => {
      await stopGracefully(azurite.child, AZURITE_SAVE_GRACE_MS);
      rmSync(path.join(location, PID_FILE), { force: true });
    },
  };
}

/** The file holding a persistent Azurite's pid, inside its data folder. */
export const PID_FILE = "azurite.pid";

/** How long Azurite may take to close its servers and save its databases before it is killed after all. */
const AZURITE_SAVE_GRACE_MS = 60_000;

/** SIGINT (Azurite's own shutdown: close the servers, save the databases), then wait for it to exit. */
export function stopGracefully(child: ChildProcess, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    timer.unref();
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGINT");
  });
}

export interface SpawnedAzurite extends AzuriteProcess {
  /** The ports it actually listens on (the chosen ones when 0 was asked for). */
  readonly ports: AzuritePorts;
}

/**
 * Starts Azurite as a child process on 127.0.0.1 and resolves once all three services listen, with the ports
 * read from its own output (so port 0 works: the tests use free ports). Data lives in `location`, or in memory.
 */
export async function spawnAzurite(
  storage: { readonly location: string } | "memory",
  ports: AzuritePorts,
  options: { readonly ownProcessGroup?: boolean } = {},
): Promise<SpawnedAzurite> {
  const child = spawn(
    process.execPath,
    [
      azuriteScript(),
      ...(storage === "memory" ? ["--inMemoryPersistence"] : ["--location", storage.location]),
      "--disableTelemetry",
      // No access log: nobody reads it (the output is drained below), and writing a line per request cost
      // Azurite about 0.4 ms of CPU per call, a tenth of a pipeline step's storage time (docs/pipeline.md).
      "--silent",
      "--skipApiVersionCheck",
      "--loose",
      ...(["blob", "queue", "table"] as const).flatMap((service) => [
        `--${service}Host`,
        "127.0.0.1",
        `--${service}Port`,
        String(ports[service]),
      ]),
    ],
    { stdio: ["ignore", "pipe", "pipe"], detached: options.ownProcessGroup === true },
  );
  const listening = await readPorts(child);
  return { child, ports: listening, stop: () => stopChild(child) };
}

export function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), graceMs).unref();
  });
}

/** Waits for "Azurite {Blob|Queue|Table} service is successfully listening at http://127.0.0.1:N" x3. */
function readPorts(child: ChildProcess): Promise<AzuritePorts> {
  return new Promise((resolve, reject) => {
    let output = "";
    const found: Record<string, number> = {};
    const fail = (err: Error) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(err);
    };
    const timer = setTimeout(() => fail(new Error(`Azurite did not start within 30 s:\n${output}`)), 30_000);
    const onExit = (code: number | null) =>
      fail(new Error(`Azurite exited early with code ${code}:\n${output}`));
    const onData = (data: Buffer) => {
      output += data.toString();
      for (const m of output.matchAll(
        /Azurite (Blob|Queue|Table) service is successfully listening at \S+:(\d+)/g,
      )) {
        found[(m[1] ?? "").toLowerCase()] = Number(m[2]);
      }
      const { blob, queue, table } = found;
      if (blob && queue && table) {
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        child.off("exit", onExit);
        // Keep draining its output: a full pipe would block Azurite.
        child.stdout?.resume();
        child.stderr?.resume();
        resolve({ blob, queue, table });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (d: Buffer) => {
      output += d.toString();
    });
    child.once("exit", onExit);
  });
}
