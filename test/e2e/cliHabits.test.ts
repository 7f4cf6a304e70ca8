/**
 * Issue 15 items 7 and 9, the built CLI as a child process against the Graph emulator: a Graph host nobody
 * listens on fails fast with "cannot connect to <host>"; exit codes 0/1/2/130 as `--help` documents them;
 * `-v`/`-q`; `upload DIR --recursive` with --include/--exclude and --dry-run; `mirror` with no definitions.
 * Requests go only to 127.0.0.1.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEFAULT_DRIVE_IDS,
  DEFAULT_TOKEN,
  type RunningEmulator,
  startEmulator,
} from "../../src/emulator/index.js";
import { ensureBuilt, REPO_DIR } from "../support/builtApp.js";

const BIN = path.join(REPO_DIR, "bin", "graph-mirror.js");
const DRIVE = DEFAULT_DRIVE_IDS.opsDocuments;

let emu: RunningEmulator;
let dir: string;

beforeAll(async () => {
  await ensureBuilt();
  emu = await startEmulator();
  dir = await mkdtemp(path.join(os.tmpdir(), "gm-habits-"));
}, 120_000);

afterAll(async () => {
  await emu?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        HOME: dir,
        GRAPH_BASE_URL: emu.graphBaseUrl,
        GRAPH_ACCESS_TOKEN: DEFAULT_TOKEN,
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 50_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("a Graph host nobody listens on (item 7)", () => {
  it("fails within seconds with 'cannot connect to <host>', not minutes of retries", async () => {
    const port = await closedPort();
    const file = path.join(dir, "unreachable.txt");
    await writeFile(file, "hello");
    const run = await cli(["upload", file, "--to", `drive:${DRIVE}:/habits/`, "--json"], {
      GRAPH_BASE_URL: `http://127.0.0.1:${port}/v1.0`,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`cannot connect to 127.0.0.1:${port}`);
    expect(run.ms).toBeLessThan(15_000);
  });
});
