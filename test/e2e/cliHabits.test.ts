/**
 * Issue 15 items 7 and 9, the built CLI as a child process against the Graph emulator: a Graph host nobody
 * listens on fails fast with "cannot connect to <host>"; exit codes 0/1/2/130 as `--help` documents them;
 * `-v`/`-q`; `upload DIR --recursive` with --include/--exclude and --dry-run; `mirror` with no definitions.
 * Requests go only to 127.0.0.1.
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
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

describe("exit codes and usage (item 9)", () => {
  it("exits 2 for an unknown command, an unknown option and a missing argument, and documents the codes", async () => {
    expect((await cli(["nosuchcommand"])).code).toBe(2);
    expect((await cli(["upload", "--no-such-option", "x"])).code).toBe(2);
    expect((await cli(["upload"])).code).toBe(2);
    const help = await cli(["--help"]);
    expect(help.code).toBe(0);
    for (const line of [
      "0    everything done",
      "1    something failed",
      "2    usage or configuration",
      "130  interrupted",
    ])
      expect(help.stdout).toContain(line);
    expect(help.stdout).toMatch(/-v, --verbose/);
    expect(help.stdout).toMatch(/-q, --quiet/);
    expect((await cli(["upload", "--help"])).stdout).toContain("130  interrupted");
  });

  it("mirror with no definitions exits 2 with a one-line reason", async () => {
    const run = await cli(["mirror", "--once"], { MIRRORS: "[]" });
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(
      "graph-mirror: no mirrors defined: set MIRRORS_FILE (a JSON file) or MIRRORS (JSON text); see docs/mirroring.md",
    );
  });
});

describe("upload DIR --recursive (item 9)", () => {
  async function tree(): Promise<string> {
    const root = path.join(dir, "tree");
    await mkdir(path.join(root, "logs", "old"), { recursive: true });
    await writeFile(path.join(root, "a.txt"), "a");
    await writeFile(path.join(root, "skip.tmp"), "tmp");
    await writeFile(path.join(root, "logs", "b.log"), "bb");
    await writeFile(path.join(root, "logs", "old", "c.log"), "ccc");
    return root;
  }

  it("refuses a folder without --recursive, naming the argument and the rule", async () => {
    const root = await tree();
    const run = await cli(["upload", root, "--to", `drive:${DRIVE}:/habits/`]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("is a folder: add --recursive");
  });

  it("--dry-run lists what would go where, with include/exclude, and sends nothing", async () => {
    const root = await tree();
    emu.inspect.clearLog();
    const run = await cli([
      "upload",
      root,
      "--recursive",
      "--exclude",
      "*.tmp",
      "logs/old/**",
      "--to",
      `drive:${DRIVE}:/habits/tree/`,
      "--dry-run",
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("-> /habits/tree/a.txt");
    expect(run.stdout).toContain("-> /habits/tree/logs/b.log");
    expect(run.stdout).not.toContain("skip.tmp");
    expect(run.stdout).not.toContain("c.log");
    expect(run.stdout).toContain("dry run: 2 file(s), nothing sent");
    expect(emu.inspect.requestLog()).toEqual([]);
  });

  it("uploads the files under the folder at their relative paths, only those --include matches", async () => {
    const root = await tree();
    const run = await cli([
      "upload",
      root,
      "-r",
      "--include",
      "**/*.log",
      "--to",
      `drive:${DRIVE}:/habits/up/`,
      "--json",
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(emu.inspect.readItem(DRIVE, "/habits/up/logs/b.log")?.toString()).toBe("bb");
    expect(emu.inspect.readItem(DRIVE, "/habits/up/logs/old/c.log")?.toString()).toBe("ccc");
    expect(emu.inspect.readItem(DRIVE, "/habits/up/a.txt")).toBeUndefined();
  });
});
