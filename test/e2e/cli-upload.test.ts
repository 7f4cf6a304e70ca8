/**
 * The built CLI as a child process against the Graph emulator (issue 3): exit codes, JSON lines, and resume
 * after SIGKILL from the server's confirmed offset with the same session.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quickXorHashOf } from "../../src/core/shared/quickXorHash.js";
import {
  DEFAULT_DRIVE_IDS,
  DEFAULT_TOKEN,
  type RunningEmulator,
  startEmulator,
} from "../../src/emulator/index.js";
import { parseRows, serializeRows } from "../../src/store/fileJobDocument.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const BIN = path.join(ROOT, "bin", "graph-mirror.js");
const DRIVE = DEFAULT_DRIVE_IDS.opsDocuments;
const CHUNK = 3 * 327_680;

let emu: RunningEmulator;
let dir: string;

beforeAll(async () => {
  // Compile the CLI the way `npm run build` does; type errors elsewhere in the tree do not stop emission.
  await promisify(execFile)(
    process.execPath,
    [path.join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"],
    {
      cwd: ROOT,
    },
  ).catch(() => undefined);
  if (!existsSync(path.join(ROOT, "dist/src/cli/main.js"))) throw new Error("the CLI did not build");
  emu = await startEmulator();
  dir = await mkdtemp(path.join(os.tmpdir(), "gm-cli-"));
}, 120_000);

afterAll(async () => {
  await emu?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(args: string[], onLine?: (line: string, child: ChildProcess) => void): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        HOME: dir,
        GRAPH_BASE_URL: emu.graphBaseUrl,
        GRAPH_ACCESS_TOKEN: DEFAULT_TOKEN,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let pending = "";
    child.stdout.on("data", (data: Buffer) => {
      stdout += data.toString();
      pending += data.toString();
      let newline = pending.indexOf("\n");
      while (newline >= 0) {
        onLine?.(pending.slice(0, newline), child);
        pending = pending.slice(newline + 1);
        newline = pending.indexOf("\n");
      }
    });
    child.stderr.on("data", (data: Buffer) => {
      stderr += data.toString();
    });
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

function events(stdout: string): Record<string, unknown>[] {
  return stdout
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function file(name: string, size: number): Promise<{ path: string; bytes: Buffer }> {
  const bytes = randomBytes(size);
  const p = path.join(dir, name);
  await writeFile(p, bytes);
  return { path: p, bytes };
}

function fragmentBytes(): number {
  return emu.inspect
    .requestLog()
    .filter((r) => r.route === "uploadFragment")
    .reduce((sum, r) => sum + r.requestBytes, 0);
}

describe("graph-mirror upload (built CLI, child process)", () => {
  it("uploads 24 small files at the default concurrency with nothing on stderr (no listener-leak warning)", async () => {
    // 16 small-file consumers and 8 more wait on the run's one signal: by design, so Node must not warn of a leak.
    const files = await Promise.all(Array.from({ length: 24 }, (_, i) => file(`s${i}.bin`, 1000 + i)));
    // 100 ms per request (docs/emulator.md "Latency"), so the uploads are in flight together, as on a real link.
    const latency = (ms: number) =>
      fetch(emu.graphBaseUrl.replace(/\/v1\.0$/, "/_emulator/latency"), {
        method: "PUT",
        body: JSON.stringify({ ms }),
      });
    await latency(100);
    const run = await cli([
      "upload",
      ...files.map((f) => f.path),
      "--to",
      `drive:${DRIVE}:/e2e/small24/`,
    ]).finally(() => latency(0));
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const simple = emu.inspect
      .requestLog()
      .filter((r) => r.route === "simpleUpload" && r.path.includes("small24"));
    expect(simple).toHaveLength(24);
  });

  it("uploads several files in parallel, prints JSON lines when stdout is not a terminal, exits 0", async () => {
    const a = await file("a.bin", 5 * CHUNK + 5);
    const b = await file("b b#.bin", 700);
    const empty = await file("empty.bin", 0);
    const run = await cli([
      "upload",
      a.path,
      b.path,
      empty.path,
      "--to",
      `drive:${DRIVE}:/e2e/many/`,
      "--chunk-size",
      "960KiB",
    ]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const lines = events(run.stdout);
    const completed = lines.filter((l) => l.event === "completed");
    expect(completed).toHaveLength(3);
    expect(lines.some((l) => l.event === "chunk-confirmed")).toBe(true);
    expect(run.stdout).not.toContain("tempauth");
    for (const f of [a, b, empty]) {
      const stored = emu.inspect.readItem(DRIVE, `/e2e/many/${path.basename(f.path)}`);
      expect(stored?.equals(f.bytes)).toBe(true);
      if (f.bytes.length > 0) {
        expect(completed.some((l) => l.quickXorHash === quickXorHashOf(f.bytes))).toBe(true);
      }
    }
    // OneDrive for Business keeps no hash for empty files (field profile): verified by size, with the reason.
    const emptyLine = completed.find((l) => l.size === 0);
    expect(emptyLine).toMatchObject({ verification: "size-only" });
    expect(String(emptyLine?.warning)).toContain("empty files");
  });

  it("exits non-zero with one line per failed file", async () => {
    const ok = await file("ok.bin", 10);
    const big = await file("quota.bin", 5 * CHUNK);
    const handle = emu.faults.add({
      match: { route: "uploadFragment", nth: 1 },
      fault: { type: "quotaFull" },
    });
    const run = await cli([
      "upload",
      ok.path,
      big.path,
      "--to",
      `drive:${DRIVE}:/e2e/fail/`,
      "--chunk-size",
      "960KiB",
      "--json",
    ]);
    handle.remove();
    expect(run.code).toBe(1);
    const failures = run.stderr.trim().split("\n");
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(
      /^graph-mirror: failed: .*quota\.bin -> \/e2e\/fail\/quota\.bin: quota-exceeded: /,
    );
    expect(run.stderr).not.toContain("tempauth");
  });

  it("rejects bad input naming the option and the rule, before any request", async () => {
    const ok = await file("x.bin", 10);
    emu.inspect.clearLog();
    const run = await cli([
      "upload",
      ok.path,
      "--to",
      `drive:${DRIVE}:/e2e/`,
      "--chunk-size",
      "1MB",
      "--conflict",
      "merge",
    ]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("--chunk-size: must be a multiple of 320 KiB");
    expect(run.stderr).toContain("--conflict: must be replace, rename or fail");
    const badName = await cli(["upload", ok.path, "--to", `drive:${DRIVE}:/e2e/a:b.bin`]);
    expect(badName.code).not.toBe(0);
    expect(badName.stderr).toContain('contains ":"');
    expect(emu.inspect.requestLog()).toEqual([]);
  });

  it("resumes after SIGKILL from the server's offset with the same session, sending fewer bytes than the file", async () => {
    const size = 12 * CHUNK + 12_345;
    const big = await file("resume.bin", size);
    const stateFile = path.join(dir, "resume-state.json");
    const args = [
      "upload",
      big.path,
      "--to",
      `drive:${DRIVE}:/e2e/resume.bin`,
      "--chunk-size",
      "960KiB",
      "--state",
      stateFile,
    ];
    // Hold the 6th fragment so the process is certainly mid-upload when it is killed.
    const hold = emu.faults.add({
      match: { route: "uploadFragment", nth: 6 },
      fault: { type: "delay", ms: 60_000 },
    });
    emu.inspect.clearLog();
    const first = await cli(args, (line, child) => {
      const event = JSON.parse(line) as { event?: string; confirmedOffset?: number };
      if (event.event === "chunk-confirmed" && event.confirmedOffset === 5 * CHUNK) child.kill("SIGKILL");
    });
    hold.remove();
    expect(first.signal).toBe("SIGKILL");
    expect(emu.inspect.readItem(DRIVE, "/e2e/resume.bin")).toBeUndefined();
    expect((await stat(stateFile)).mode & 0o777).toBe(0o600);
    expect(await readFile(stateFile, "utf8")).toContain("uploadUrl");
    const sessionsBefore = emu.inspect.sessions().length;

    emu.inspect.clearLog();
    const second = await cli(args);
    expect(second.stderr).toBe("");
    expect(second.code).toBe(0);
    const lines = events(second.stdout);
    expect(lines[0]).toMatchObject({ event: "resumed" });
    expect(lines.some((l) => l.event === "resynced" && Number(l.to) >= 5 * CHUNK)).toBe(true);
    const log = emu.inspect.requestLog();
    expect(log.some((r) => r.route === "createUploadSession")).toBe(false);
    expect(log[0]?.route).toBe("uploadStatus");
    expect(fragmentBytes()).toBeLessThan(size);
    expect(fragmentBytes()).toBeLessThanOrEqual(size - 5 * CHUNK);
    expect(emu.inspect.readItem(DRIVE, "/e2e/resume.bin")?.equals(big.bytes)).toBe(true);
    expect(sessionsBefore).toBeGreaterThan(0);
    expect(log.filter((r) => r.host === "upload").every((r) => !r.hadAuthorization)).toBe(true);
  });

  it("resumes after SIGKILL at once, releasing the lease and the lock the killed process left", async () => {
    const size = 6 * CHUNK + 7;
    const big = await file("leased.bin", size);
    const stateFile = path.join(dir, "leased-state.json");
    const args = ["upload", big.path, "--to", `drive:${DRIVE}:/e2e/leased.bin`, "--chunk-size", "960KiB"];
    const hold = emu.faults.add({
      match: { route: "uploadFragment", nth: 3 },
      fault: { type: "delay", ms: 60_000 },
    });
    emu.inspect.clearLog();
    const first = await cli([...args, "--state", stateFile], (line, child) => {
      const event = JSON.parse(line) as { event?: string; confirmedOffset?: number };
      if (event.event === "chunk-confirmed" && event.confirmedOffset === 2 * CHUNK) child.kill("SIGKILL");
    });
    hold.remove();
    expect(first.signal).toBe("SIGKILL");
    // The killed process's lock is still there, and its row is made to look killed mid-step after its lease
    // reached the disk: a lease of an hour, which the next run must not wait out.
    expect(existsSync(`${stateFile}.lock`)).toBe(true);
    const rows = parseRows(await readFile(stateFile, "utf8")) ?? [];
    expect(rows).toHaveLength(1);
    for (const row of rows) Object.assign(row, { leaseOwner: "killed", leaseUntil: Date.now() + 3_600_000 });
    await writeFile(stateFile, serializeRows(rows), { mode: 0o600 });

    emu.inspect.clearLog();
    const started = Date.now();
    const second = await cli([...args, "--state", stateFile]);
    expect(second.stderr).toBe("");
    expect(second.code).toBe(0);
    expect(Date.now() - started).toBeLessThan(30_000);
    const log = emu.inspect.requestLog();
    expect(log[0]?.route).toBe("uploadStatus");
    expect(log.some((r) => r.route === "createUploadSession")).toBe(false);
    expect(fragmentBytes()).toBeLessThanOrEqual(size - 2 * CHUNK);
    expect(emu.inspect.readItem(DRIVE, "/e2e/leased.bin")?.equals(big.bytes)).toBe(true);
    expect(existsSync(`${stateFile}.lock`)).toBe(false);
  });

  it("Ctrl-C (SIGINT) stops with exit 130 and the same command resumes", async () => {
    const size = 8 * CHUNK + 1;
    const big = await file("interrupt.bin", size);
    const stateFile = path.join(dir, "interrupt-state.json");
    const args = [
      "upload",
      big.path,
      "--to",
      `drive:${DRIVE}:/e2e/`,
      "--chunk-size",
      "960KiB",
      "--state",
      stateFile,
    ];
    const hold = emu.faults.add({
      match: { route: "uploadFragment", nth: 4 },
      fault: { type: "delay", ms: 60_000 },
    });
    const first = await cli(args, (line, child) => {
      const event = JSON.parse(line) as { event?: string; confirmedOffset?: number };
      if (event.event === "chunk-confirmed" && event.confirmedOffset === 3 * CHUNK) child.kill("SIGINT");
    });
    hold.remove();
    expect(first.code).toBe(130);
    expect(first.stderr).toContain("interrupted; run the same command again to resume");
    emu.inspect.clearLog();
    const second = await cli(args);
    expect(second.code).toBe(0);
    expect(fragmentBytes()).toBeLessThanOrEqual(size - 3 * CHUNK);
    expect(emu.inspect.readItem(DRIVE, "/e2e/interrupt.bin")?.equals(big.bytes)).toBe(true);
  });
});
