/**
 * The README's quick start: `graph-mirror start` (what `npm start` runs) with nothing configured, on a fresh
 * data folder and free ports. It starts Azurite and the Graph emulator (both persistent), the built-in local
 * host, runs one mirror pass of the bundled sample, shows where each file landed, and on Ctrl-C stops all of
 * it. A second start on the same folders finds nothing to upload.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DEFAULT_DRIVE_IDS } from "../../src/emulator/index.js";
import { portListening } from "../../src/localhost/azurite.js";
import { defaultSampleDir } from "../../src/mirror/sample.js";
import { ensureBuilt, REPO_DIR } from "../support/builtApp.js";
import { eventually } from "../support/localHostProcess.js";

let dataDir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  await ensureBuilt();
  dataDir = mkdtempSync(path.join(tmpdir(), "gm-quickstart-"));
});

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Free ports, found by listening on port 0 (all held open together, so they differ, then released). */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<net.Server>((resolve) => {
          const server = net.createServer();
          server.listen(0, "127.0.0.1", () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

interface Started {
  readonly output: () => string;
  readonly api: string;
  stop(): Promise<number | null>;
}

async function startCommand(env: Record<string, string>): Promise<Started> {
  const child = spawn(
    process.execPath,
    [path.join(REPO_DIR, "bin", "graph-mirror.js"), "start", "--no-core-tools", "--data-dir", dataDir],
    { cwd: REPO_DIR, env: { PATH: process.env.PATH ?? "", HOME: dataDir, ...env }, stdio: "pipe" },
  );
  children.push(child);
  let output = "";
  child.stdout?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const api = await eventually(
    async () => {
      if (child.exitCode !== null) throw new Error(`start exited with ${child.exitCode}:\n${output}`);
      return /API listening on (http:\/\/localhost:\d+\/api) — Ctrl-C to stop/.exec(output)?.[1];
    },
    120_000,
    "the start summary",
    200,
  ).catch((err: unknown) => {
    throw new Error(`${String(err)}\n${output}`);
  });
  return {
    output: () => output,
    api,
    stop: () => {
      child.kill("SIGINT");
      return exited;
    },
  };
}

it("mirrors the sample on first start, shows where it landed, stops cleanly, and finds nothing new next time", async () => {
  const [blob, queue, table, graph, upload] = await freePorts(5);
  const env = {
    PORT: "0",
    AZURITE_BLOB_PORT: String(blob),
    AZURITE_QUEUE_PORT: String(queue),
    AZURITE_TABLE_PORT: String(table),
    EMULATOR_GRAPH_PORT: String(graph),
    EMULATOR_UPLOAD_PORT: String(upload),
  };
  const ports = [blob, queue, table, graph, upload].map(Number);

  const first = await startCommand(env);
  const output = first.output();
  expect(output).toContain(
    `Azurite on 127.0.0.1:${blob}-${table}, data in ${path.join(dataDir, ".azurite")}`,
  );
  expect(output).toContain(`data in ${path.join(dataDir, ".local", "emulator")}`);
  expect(output).toContain("Mirror pass at start: 6 of 6 upload(s) completed.");
  expect(output).toContain("SharePoint /sites/Ops library Documents");
  expect(output).toContain("OneDrive of adele.vance@contoso.onmicrosoft.com");
  expect(output).toContain(
    "https://contoso.sharepoint.com/sites/Ops/Shared%20Documents/graph-mirror-sample/exports/large-export.bin",
  );
  expect(output.match(/QuickXorHash verified/g)).toHaveLength(6);
  expect(output).toContain(`curl -s http://127.0.0.1:${graph}/_emulator/items`);
  // The JSON logs went to the log file, not the terminal.
  expect(output).not.toMatch(/"event":/);
  expect(await readFile(path.join(dataDir, ".local", "logs", "functions.log"), "utf8")).toContain(
    '"event":"step-written"',
  );

  // Byte-identical in both destinations, read through the emulator's control API.
  for (const file of ["carpuncle.log", "dashboard-status.json", "exports/large-export.bin"]) {
    const local = await readFile(path.join(defaultSampleDir(), file));
    for (const driveId of [DEFAULT_DRIVE_IDS.opsDocuments, DEFAULT_DRIVE_IDS.adeleOneDrive]) {
      const url = new URL(`http://127.0.0.1:${graph}/_emulator/items/content`);
      url.searchParams.set("driveId", driveId);
      url.searchParams.set("path", `/graph-mirror-sample/${file}`);
      const stored = Buffer.from(await (await fetch(url)).arrayBuffer());
      expect(stored.equals(local), `${file} in ${driveId}`).toBe(true);
    }
  }
  const health = await fetch(`${first.api}/health`);
  expect(health.status).toBe(200);

  expect(await first.stop()).toBe(0);
  const functionsPort = Number(new URL(first.api).port);
  for (const port of [...ports, functionsPort]) expect(await portListening(port), `port ${port}`).toBe(false);

  const second = await startCommand(env);
  expect(second.output()).toContain("Mirror pass at start: nothing to upload (0 jobs; 6 file(s) unchanged");
  expect(await second.stop()).toBe(0);
  for (const port of ports) expect(await portListening(port), `port ${port}`).toBe(false);
}, 240_000);
