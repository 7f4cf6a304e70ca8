/** Shared pieces of the upload benchmarks: the emulator process, test files, and running the built CLI. */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, open, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_TOKEN, type EmulatorOptions } from "../../src/emulator/index.js";

export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const MIB = 1024 * 1024;

export interface EmulatorProcess {
  readonly graphBaseUrl: string;
  readonly driveId: string;
  /** With `proxy` in the options: the CONNECT proxy (HTTPS_PROXY) and the local CA file to trust. */
  readonly proxyUrl?: string;
  readonly caPath?: string;
  stop(): Promise<void>;
}

/**
 * The emulator in a child process, file-backed in `dataDir` (in memory without one). `options` must be JSON
 * (no clock, no seed object with functions): they cross the process boundary as one argument.
 */
export async function startEmulatorProcess(
  dataDir?: string,
  options: EmulatorOptions = {},
): Promise<EmulatorProcess> {
  const child = spawn(
    process.execPath,
    [fileURLToPath(new URL("./emulatorChild.js", import.meta.url)), dataDir ?? "", JSON.stringify(options)],
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
  const info = JSON.parse(first) as Omit<EmulatorProcess, "stop">;
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
  /** Passed as --chunk-size; undefined leaves the CLI its default (chunks sized to the link). */
  chunkSize: string | undefined,
  stateFile: string,
): Promise<CliResult> {
  const run = await runMeasured(
    process.execPath,
    [
      path.join(ROOT, "bin", "graph-mirror.js"),
      "upload",
      file,
      "--to",
      `drive:${emu.driveId}:${destination}`,
      ...(chunkSize === undefined ? [] : ["--chunk-size", chunkSize]),
      "--json",
      "--state",
      stateFile,
    ],
    { PATH: process.env.PATH, GRAPH_BASE_URL: emu.graphBaseUrl, GRAPH_ACCESS_TOKEN: DEFAULT_TOKEN },
  );
  const events = run.stdout
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { event: string; time: string });
  const start = events.find((e) => e.event === "started");
  const done = events.find((e) => e.event === "completed");
  if (run.code !== 0 || !start || !done)
    throw new Error(
      `the CLI upload failed (exit ${run.code}): ${run.stdout.slice(-500)}${run.stderr.slice(-500)}`,
    );
  return {
    wallMs: run.wallMs,
    uploadMs: Date.parse(done.time) - Date.parse(start.time),
    peakRssBytes: run.peakRssBytes,
    code: run.code,
  };
}

export interface MeasuredRun {
  /** From spawn to exit. */
  readonly wallMs: number;
  /** Peak resident set size of the child (VmHWM), polled every 20 ms while it runs. */
  readonly peakRssBytes: number;
  /**
   * The largest anonymous (heap, stacks, buffers) and file-backed (the executable's and libraries' pages it
   * touched) parts of the RSS seen by the same polls (`RssAnon`, `RssFile`). The kernel keeps no high-water mark
   * for either, so a peak shorter than a poll can be missed; the two maxima need not fall at the same moment.
   */
  readonly peakAnonBytes: number;
  readonly peakFileBytes: number;
  readonly code: number | null;
  readonly stdout: string;
  /** The last 64 KiB of stderr, for failure messages. */
  readonly stderr: string;
}

/**
 * Runs `command` as a child with exactly `env` and measures its wall time and peak RSS. VmHWM is the kernel's
 * own high-water mark, so polling only has to read it before the process exits, not catch the peak itself.
 */
export async function runMeasured(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<MeasuredRun> {
  const started = performance.now();
  const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-65_536);
  });
  const peak = { hwm: 0, anon: 0, file: 0 };
  const poll = setInterval(() => {
    void memoryOf(child).then((m) => {
      peak.hwm = Math.max(peak.hwm, m.hwm);
      peak.anon = Math.max(peak.anon, m.anon);
      peak.file = Math.max(peak.file, m.file);
    });
  }, 20);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (c) => resolve(c));
  });
  clearInterval(poll);
  return {
    wallMs: performance.now() - started,
    peakRssBytes: peak.hwm,
    peakAnonBytes: peak.anon,
    peakFileBytes: peak.file,
    code,
    stdout,
    stderr,
  };
}

/** The child's VmHWM and current RssAnon and RssFile, in bytes (0 once it has gone). */
async function memoryOf(child: ChildProcess): Promise<{ hwm: number; anon: number; file: number }> {
  const status = await readFile(`/proc/${child.pid}/status`, "utf8").catch(() => "");
  const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
  return { hwm: kib("VmHWM"), anon: kib("RssAnon"), file: kib("RssFile") };
}
