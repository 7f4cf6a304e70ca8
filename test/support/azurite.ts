/**
 * Starts a real Azurite (the official Storage emulator) as a child process on free ports, in memory.
 * PLATFORM.md: its package main is a VS Code extension, so run the script; --disableTelemetry or shutdown hangs;
 * fail fast if the child exits early (a stale Azurite on the same port would make port checks pass falsely).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { azuriteScript, stopChild } from "../../src/localhost/azurite.js";

export interface RunningAzurite {
  readonly blobPort: number;
  readonly queuePort: number;
  readonly tablePort: number;
  /** A full connection string for the well-known Azurite dev account. */
  readonly connectionString: string;
  stop(): Promise<void>;
}

const DEV_ACCOUNT = "devstoreaccount1";
// The well-known, public Azurite development key (not a secret).
const DEV_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export async function startAzurite(): Promise<RunningAzurite> {
  const child = spawn(
    process.execPath,
    [
      azuriteScript(),
      "--inMemoryPersistence",
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
      "0",
      "--queuePort",
      "0",
      "--tablePort",
      "0",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const ports = await readPorts(child);
  const connectionString =
    `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY};` +
    `BlobEndpoint=http://127.0.0.1:${ports.blob}/${DEV_ACCOUNT};` +
    `QueueEndpoint=http://127.0.0.1:${ports.queue}/${DEV_ACCOUNT};` +
    `TableEndpoint=http://127.0.0.1:${ports.table}/${DEV_ACCOUNT};`;
  return {
    blobPort: ports.blob,
    queuePort: ports.queue,
    tablePort: ports.table,
    connectionString,
    stop: () => stopChild(child, 3_000),
  };
}

function readPorts(child: ChildProcess): Promise<{ blob: number; queue: number; table: number }> {
  return new Promise((resolve, reject) => {
    let output = "";
    const found: Record<string, number> = {};
    const timer = setTimeout(() => fail(new Error(`Azurite did not start within 30 s:\n${output}`)), 30_000);
    const fail = (err: Error) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(err);
    };
    const onData = (data: Buffer) => {
      output += data.toString();
      // "Azurite Blob service is successfully listening at http://127.0.0.1:40123"
      for (const m of output.matchAll(
        /Azurite (Blob|Queue|Table) service is successfully listening at \S+:(\d+)/g,
      )) {
        found[(m[1] ?? "").toLowerCase()] = Number(m[2]);
      }
      const { blob, queue, table } = found;
      if (blob && queue && table) {
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        resolve({ blob, queue, table });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (d: Buffer) => {
      output += d.toString();
    });
    child.once("exit", (code) => fail(new Error(`Azurite exited early with code ${code}:\n${output}`)));
  });
}
