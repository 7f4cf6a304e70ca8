/**
 * `graph-mirror start` (what `npm start` runs) with storage configured (a test Azurite, so the default Azurite
 * ports stay untouched), no tenant and no mirrors (MIRRORS=[]): it starts the Graph emulator and the built-in
 * local host, the HTTP API answers and reaches both, and Ctrl-C (SIGINT) stops everything it started. The
 * first mirror pass of the quick start is localhostQuickStart.test.ts.
 */
import { type ChildProcess, execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type RunningAzurite, startAzurite } from "../support/azurite.js";
import { ensureBuilt } from "../support/builtApp.js";
import { eventually } from "../support/localHostProcess.js";
import { spawnStart } from "../support/startProcess.js";

let azurite: RunningAzurite;
let start: ChildProcess | undefined;
const dataDir = mkdtempSync(path.join(tmpdir(), "gm-start-"));

beforeAll(async () => {
  await ensureBuilt();
  azurite = await startAzurite();
});

afterAll(async () => {
  if (start && start.exitCode === null) start.kill("SIGKILL");
  await azurite?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

it("starts the emulator and the local host, serves the API, and stops both on Ctrl-C", async () => {
  let output = "";
  start = spawnStart({
    dataDir,
    env: {
      AzureWebJobsStorage: azurite.connectionString,
      // Free ports: the emulator's defaults (10010-10011) may be in use.
      EMULATOR_GRAPH_PORT: "0",
      EMULATOR_UPLOAD_PORT: "0",
    },
  });
  start.stdout?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  start.stderr?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  const base = await eventually(
    async () => /API listening on http:\/\/localhost:(\d+)\/api/.exec(output)?.[1],
    30_000,
    "the local host to listen",
  ).catch((err: unknown) => {
    throw new Error(`${String(err)}\n${output}`);
  });
  expect(output).toContain("storage   AzureWebJobsStorage from the settings");
  expect(output).toMatch(/graph {5}Graph emulator at http:\/\/127\.0\.0\.1:\d+\/v1\.0/);
  expect(output).toContain("functions built-in local host");
  // The lines that point a CLI at the emulator it started (issue 15 item 4).
  expect(output).toMatch(/export GRAPH_BASE_URL=http:\/\/127\.0\.0\.1:\d+\/v1\.0\n/);
  expect(output).toContain("export GRAPH_ACCESS_TOKEN=dev-token\n");

  const health = await fetch(`http://127.0.0.1:${base}/api/health`);
  expect(health.status).toBe(200);
  expect(await health.json()).toMatchObject({ status: "ok" });

  const exited = new Promise<number | null>((resolve) => start?.once("exit", (code) => resolve(code)));
  start.kill("SIGINT");
  expect(await exited).toBe(0);
  // A deliberate stop is not reported as a child's failure.
  expect(output).not.toContain("exited with code");
  // The local host child is gone with it.
  await expect(
    fetch(`http://127.0.0.1:${base}/api/health`, { signal: AbortSignal.timeout(2_000) }),
  ).rejects.toThrow();
});

it("says which child ended, why and where its log is when the local host dies on its own", async () => {
  let output = "";
  const run = spawnStart({
    dataDir,
    env: {
      AzureWebJobsStorage: azurite.connectionString,
      EMULATOR_GRAPH_PORT: "0",
      EMULATOR_UPLOAD_PORT: "0",
    },
  });
  start = run;
  run.stdout?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  run.stderr?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => run.once("exit", (code) => resolve(code)));
  await eventually(
    async () => (output.includes("API listening on") ? true : undefined),
    30_000,
    "the local host to listen",
  ).catch((err: unknown) => {
    throw new Error(`${String(err)}\n${output}`);
  });
  // The built-in host is start's only child here (storage is the test's Azurite).
  const hostPid = Number(
    execFileSync("pgrep", ["-P", String(run.pid)])
      .toString()
      .trim()
      .split("\n")[0],
  );
  process.kill(hostPid, "SIGKILL");
  expect(await exited).toBe(1);
  expect(output).toMatch(
    /graph-mirror start: the built-in local host was killed by SIGKILL; its log is .*functions\.log/,
  );
});

it("validates every area's settings (loadConfig) before it starts or creates anything", async () => {
  const empty = mkdtempSync(path.join(tmpdir(), "gm-start-bad-"));
  try {
    let output = "";
    const run = spawnStart({
      dataDir: empty,
      // A bad upload setting: the functions would refuse it at load; start refuses it before Azurite or the emulator.
      env: { CHUNK_SIZE: "abc", EMULATOR_GRAPH_PORT: "0", EMULATOR_UPLOAD_PORT: "0" },
    });
    run.stdout?.on("data", (d: Buffer) => {
      output += d.toString();
    });
    run.stderr?.on("data", (d: Buffer) => {
      output += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => run.once("exit", (c) => resolve(c)));
    expect(code).not.toBe(0);
    expect(output).toContain("CHUNK_SIZE");
    expect(output).not.toContain("graph-mirror start\n");
    expect(readdirSync(empty)).toEqual([]);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});
