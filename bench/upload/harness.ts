/** Shared pieces of the upload benchmarks: the emulator process, test files, and running the built CLI. */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, open, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_TOKEN } from "../../src/emulator/index.js";

export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const MIB = 1024 * 1024;

export interface EmulatorProcess {
  readonly graphBaseUrl: string;
  readonly driveId: string;
  stop(): Promise<void>;
}

/** The emulator in a child process, file-backed in `dataDir` (in memory without one). */
export async function startEmulatorProcess(dataDir?: string): Promise<EmulatorProcess> {
  const child = spawn(
    process.execPath,
    [fileURLToPath(new URL("./emulatorChild.js", import.meta.url)), ...(dataDir ? [dataDir] : [])],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const first = await new Promise<string>((resolve, reject) => {
    let buffered = "";
    child.stdout.on("data", (d: Buffer) => {
      buffered += d.toString();
      const nl = buffered.indexOf("\n");
      if (nl >= 0) resolve(buffered.slice(0, nl));
    });
    child.once("exit", (code) => reject(new Error(`emulator exited early (${code})`)));
  });
  const info = JSON.parse(first) as { graphBaseUrl: string; driveId: string };
  return {
    ...info,
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

export async function tempDir(prefix: string): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A file of `size` bytes made of a repeated random 16 MiB block (fast to write; content is irrelevant here). */
export async function makeFile(file: string, size: number): Promise<void> {
  const block = randomBytes(16 * MIB);
  const handle = await open(file, "w");
  try {
    for (let at = 0; at < size; at += block.length) {
      await handle.write(block, 0, Math.min(block.length, size - at), at);
    }
  } finally {
    await handle.close();
  }
}

export interface CliResult {
  readonly wallMs: number;
  /** From the "started" event to the "completed" event (the upload itself, without process start-up). */
  readonly uploadMs: number;
  /** Peak resident set size of the CLI process, from /proc VmHWM. */
  readonly peakRssBytes: number;
  readonly code: number | null;
}

export async function runCli(
  emu: EmulatorProcess,
  file: string,
  destination: string,
  chunkSize: string,
  stateFile: string,
): Promise<CliResult> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      path.join(ROOT, "bin", "graph-mirror.js"),
      "upload",
      file,
      "--to",
      `drive:${emu.driveId}:${destination}`,
      "--chunk-size",
      chunkSize,
      "--json",
      "--state",
      stateFile,
    ],
    {
      env: { PATH: process.env.PATH, GRAPH_BASE_URL: emu.graphBaseUrl, GRAPH_ACCESS_TOKEN: DEFAULT_TOKEN },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let stdout = "";
  child.stdout?.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  let peak = 0;
  const poll = setInterval(() => {
    void vmHwm(child).then((v) => {
      peak = Math.max(peak, v);
    });
  }, 20);
  const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
  clearInterval(poll);
  const wallMs = performance.now() - started;
  const events = stdout
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { event: string; time: string });
  const start = events.find((e) => e.event === "started");
  const done = events.find((e) => e.event === "completed");
  if (code !== 0 || !start || !done)
    throw new Error(`the CLI upload failed (exit ${code}): ${stdout.slice(-500)}`);
  return { wallMs, uploadMs: Date.parse(done.time) - Date.parse(start.time), peakRssBytes: peak, code };
}

async function vmHwm(child: ChildProcess): Promise<number> {
  try {
    const status = await readFile(`/proc/${child.pid}/status`, "utf8");
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}
