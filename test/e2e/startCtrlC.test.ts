/**
 * Issue 16, local only: `graph-mirror start` keeps Azurite running until everything else has stopped, then stops
 * it with SIGINT and waits for it to save. A terminal's Ctrl-C reaches the whole foreground process group at
 * once; Azurite runs in its own group, so a row the functions write while they are stopping still lands, and is
 * there when Azurite starts again on the same data, and start has stopped Azurite itself (its pid is gone).
 */
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { TableClient } from "@azure/data-tables";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DEFAULT_DRIVE_IDS } from "../../src/emulator/index.js";
import {
  type AzuritePorts,
  explicitDevStorageConnectionString,
  PID_FILE,
  spawnAzurite,
  stopChild,
} from "../../src/localhost/azurite.js";
import { ensureBuilt } from "../support/builtApp.js";
import { eventually } from "../support/localHostProcess.js";
import { spawnStart } from "../support/startProcess.js";

let start: ChildProcess | undefined;
const dataDir = mkdtempSync(path.join(tmpdir(), "gm-ctrlc-"));

beforeAll(async () => {
  await ensureBuilt();
});
afterAll(async () => {
  if (start?.pid && start.exitCode === null) process.kill(-start.pid, "SIGKILL");
  const pidFile = path.join(dataDir, ".azurite", PID_FILE);
  if (existsSync(pidFile)) process.kill(Number(readFileSync(pidFile, "utf8")), "SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

it("a Ctrl-C'd start keeps the row written while it stopped: Azurite stops last, after saving", async () => {
  const ports: AzuritePorts = { blob: await freePort(), queue: await freePort(), table: await freePort() };
  const graphPort = await freePort();
  writeFileSync(path.join(dataDir, "source.bin"), randomBytes(2 * 1024 * 1024));
  let output = "";
  start = spawnStart({
    dataDir,
    env: {
      AZURITE_BLOB_PORT: String(ports.blob),
      AZURITE_QUEUE_PORT: String(ports.queue),
      AZURITE_TABLE_PORT: String(ports.table),
      EMULATOR_GRAPH_PORT: String(graphPort),
      EMULATOR_UPLOAD_PORT: "0",
      ALLOWED_FILE_ROOTS: dataDir,
      CHUNK_SIZE: "320KiB",
      SIMPLE_UPLOAD_MAX: "320KiB",
    },
    // Its own process group, like a shell's foreground job: Ctrl-C below goes to the whole group.
    detached: true,
  });
  start.stdout?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  start.stderr?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  await eventually(
    async () => (output.includes("API listening on") ? true : undefined),
    60_000,
    "start",
  ).catch((err: unknown) => {
    throw new Error(`${String(err)}\n${output}`);
  });
  expect(output).toContain(`storage   Azurite on 127.0.0.1:${ports.blob}-${ports.table}`);
  const azuritePid = Number(readFileSync(path.join(dataDir, ".azurite", PID_FILE), "utf8"));
  const table = TableClient.fromConnectionString(explicitDevStorageConnectionString(ports), "ctrlc", {
    allowInsecureConnection: true,
  });
  await table.createTable();
  await table.createEntity({ partitionKey: "p", rowKey: "before", step: 27 });

  // An upload whose fragments take 1.5 s each at the emulator, so a step is in flight when Ctrl-C comes.
  const control = `http://127.0.0.1:${graphPort}/_emulator`;
  const fault = await fetch(`${control}/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      match: { route: "uploadFragment", times: "Infinity" },
      fault: { type: "delay", ms: 1_500 },
    }),
  });
  expect(fault.status).toBe(201);
  const api = /API listening on (http:\/\/localhost:\d+\/api)/.exec(output)?.[1] ?? "";
  const post = await fetch(`${api}/uploads`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      source: { type: "file", path: path.join(dataDir, "source.bin") },
      destinations: [{ type: "drive", driveId: DEFAULT_DRIVE_IDS.opsDocuments, path: "/ctrlc/source.bin" }],
    }),
  });
  const { id: requestId } = (await post.json()) as { id: string };
  await eventually(
    async () => {
      const status = (await (await fetch(`${api}/uploads/${requestId}`)).json()) as {
        jobs: { attempts: { sessions: number } }[];
      };
      return (status.jobs[0]?.attempts.sessions ?? 0) >= 1 ? true : undefined;
    },
    30_000,
    "the upload session",
    50,
  );
  // The first fragment's step starts at once and its request takes 1.5 s: a moment later it is in flight.
  await new Promise((resolve) => setTimeout(resolve, 300));

  const pid = start.pid ?? 0;
  const exited = new Promise<number | null>((resolve) => start?.once("exit", (code) => resolve(code)));
  process.kill(-pid, "SIGINT");
  // Written after Ctrl-C, while start is still stopping the functions.
  await table.createEntity({ partitionKey: "p", rowKey: "after", step: 28 });
  expect(await exited).toBe(0);
  expect(alive(azuritePid)).toBe(false);
  expect(existsSync(path.join(dataDir, ".azurite", PID_FILE))).toBe(false);

  // Azurite again, on the same data: the rows are there, and so is the result of the step that was in flight
  // at Ctrl-C: the local host let it finish and wrote its row (lease released, bytes confirmed) before start
  // stopped Azurite. Had Azurite stopped with everyone else, that write would have failed and the row would
  // still hold the dead step's lease.
  const again = await spawnAzurite({ location: path.join(dataDir, ".azurite") }, ports);
  try {
    const rows = [];
    for await (const row of table.listEntities<{ step: number }>()) rows.push([row.rowKey, row.step]);
    expect(rows).toEqual([
      ["after", 28],
      ["before", 27],
    ]);
    const jobs = TableClient.fromConnectionString(explicitDevStorageConnectionString(ports), "uploadjobs", {
      allowInsecureConnection: true,
    });
    const found: { leaseOwner: string; confirmedOffset: unknown }[] = [];
    for await (const entity of jobs.listEntities<{ leaseOwner: string; confirmedOffset: unknown }>({
      queryOptions: { filter: `PartitionKey eq '${requestId}'` },
    }))
      found.push(entity);
    const [job] = found;
    expect(job?.leaseOwner).toBe("");
    expect(Number(job?.confirmedOffset)).toBeGreaterThan(0);
  } finally {
    await stopChild(again.child);
  }
}, 120_000);
