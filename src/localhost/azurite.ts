/**
 * Azurite for `graph-mirror start`: reused when something already listens on its ports (default 10000 blob,
 * 10001 queue, 10002 table; AZURITE_*_PORT, src/localhost/settings.ts), else started as a child process that keeps its data under the git-ignored
 * `.azurite/` folder. PLATFORM.md: run its script (its package main is a VS Code extension), always with
 * --disableTelemetry, and fail fast if it exits early.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
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
 * script as a child process instead (PLATFORM.md "Azurite").
 */
export function azuriteScript(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve("azurite/package.json")), "dist", "src", "azurite.js");
}

export async function startPersistentAzurite(
  appDir: string,
  ports: AzuritePorts = AZURITE_PORTS,
): Promise<AzuriteProcess> {
  const location = path.join(appDir, ".azurite");
  mkdirSync(location, { recursive: true });
  const script = azuriteScript();
  const child = spawn(
    process.execPath,
    [
      script,
      "--location",
      location,
      "--disableTelemetry",
      "--skipApiVersionCheck",
      "--loose",
      "--blobHost",
      "127.0.0.1",
      "--queueHost",
      "127.0.0.1",
      "--tableHost",
      "127.0.0.1",
      "--blobPort",
      String(ports.blob),
      "--queuePort",
      String(ports.queue),
      "--tablePort",
      String(ports.table),
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  await new Promise<void>((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`Azurite did not start within 30 s:\n${output}`));
    }, 30_000);
    const onData = (data: Buffer) => {
      output += data.toString();
      if ((output.match(/successfully listening/g) ?? []).length >= 3) {
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        child.off("exit", onExit);
        child.stdout?.resume();
        child.stderr?.resume();
        resolve();
      }
    };
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`Azurite exited early with code ${code}:\n${output}`));
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (d: Buffer) => {
      output += d.toString();
    });
    child.once("exit", onExit);
  });
  return { child, stop: () => stopChild(child) };
}

export function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), graceMs).unref();
  });
}
