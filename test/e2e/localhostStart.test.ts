/**
 * `graph-mirror start` (what `npm start` runs) with storage configured (a test Azurite, so the default Azurite
 * ports stay untouched) and no tenant: it starts the Graph emulator and the built-in local host, the HTTP API
 * answers and reaches both, and Ctrl-C (SIGINT) stops everything it started.
 */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type RunningAzurite, startAzurite } from "../support/azurite.js";
import { ensureBuilt, REPO_DIR } from "../support/builtApp.js";
import { eventually } from "../support/localHostProcess.js";

let azurite: RunningAzurite;
let start: ChildProcess | undefined;

beforeAll(async () => {
  await ensureBuilt();
  azurite = await startAzurite();
});

afterAll(async () => {
  if (start && start.exitCode === null) start.kill("SIGKILL");
  await azurite?.stop();
});

it("starts the emulator and the local host, serves the API, and stops both on Ctrl-C", async () => {
  let output = "";
  start = spawn(
    process.execPath,
    [path.join(REPO_DIR, "bin", "graph-mirror.js"), "start", "--port", "0", "--no-core-tools"],
    {
      cwd: REPO_DIR,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: path.join(REPO_DIR, "dist"),
        AzureWebJobsStorage: azurite.connectionString,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  start.stdout?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  start.stderr?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  const base = await eventually(
    async () => /\[localhost\] listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1],
    30_000,
    "the local host to listen",
  ).catch((err: unknown) => {
    throw new Error(`${String(err)}\n${output}`);
  });
  expect(output).toContain("storage   AzureWebJobsStorage from the settings");
  expect(output).toMatch(/graph {5}emulator at http:\/\/127\.0\.0\.1:\d+\/v1\.0/);
  expect(output).toContain("functions built-in local host");

  const health = await fetch(`${base}/api/health`);
  expect(health.status).toBe(200);
  expect(await health.json()).toMatchObject({ status: "ok" });

  const exited = new Promise<number | null>((resolve) => start?.once("exit", (code) => resolve(code)));
  start.kill("SIGINT");
  expect(await exited).toBe(0);
  // The local host child is gone with it.
  await expect(fetch(`${base}/api/health`, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
});
