/**
 * The bundled sample (issue 6 quick start): `sample/` holds a `dashboard-status.json`, a `carpuncle.log` and,
 * generated at first start, `exports/large-export.bin` (25 MiB of deterministic bytes: several upload chunks).
 * `sample/mirrors.json` mirrors the folder to the emulator's SharePoint site /sites/Ops (library "Documents")
 * and to Adele's OneDrive.
 *
 * Two ways in, both used by the start command when no tenant is configured:
 * - `sampleMirrorEnv()` adds MIRRORS_FILE and ALLOWED_FILE_ROOTS for the function app (the local host's pass at
 *   start, then its queue pipeline);
 * - `runSampleMirror()` runs it in this process, like `graph-mirror mirror --once`, with progress bars.
 */
import { mkdir, open, stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { mirrorCommand } from "../cli/commands/mirror.js";
import type { Env } from "../config/auth.js";
import { loadMirrorDefinitions, parseMirrorSettings } from "./settings.js";

export const LARGE_EXPORT_BYTES = 25 * 1024 * 1024;
const BLOCK = 1024 * 1024;

/** The repository's `sample/` folder (from src/mirror or dist/src/mirror). */
export function defaultSampleDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const up = here.split(path.sep).includes("dist") ? ["..", "..", ".."] : ["..", ".."];
  return path.resolve(here, ...up, "sample");
}

/**
 * Creates `exports/large-export.bin` when missing or of the wrong size. The content depends only on the offset
 * (xorshift32 from a fixed seed), so every machine gets the same bytes, and an existing file is left alone so
 * its mtime, and therefore the mirror's "unchanged" verdict, is stable across starts.
 */
export async function ensureSampleFiles(sampleDir = defaultSampleDir()): Promise<string> {
  const file = path.join(sampleDir, "exports", "large-export.bin");
  const existing = await stat(file).catch(() => undefined);
  if (existing?.isFile() && existing.size === LARGE_EXPORT_BYTES) return file;
  await mkdir(path.dirname(file), { recursive: true });
  const handle = await open(file, "w");
  try {
    let state = 0x2545f491;
    const words = new Uint32Array(BLOCK / 4);
    for (let offset = 0; offset < LARGE_EXPORT_BYTES; offset += BLOCK) {
      for (let i = 0; i < words.length; i++) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        words[i] = state >>> 0;
      }
      await handle.write(new Uint8Array(words.buffer), 0, BLOCK, offset);
    }
  } finally {
    await handle.close();
  }
  return file;
}

/** Settings that point the function app at the sample (merge into its environment). */
export function sampleMirrorEnv(sampleDir = defaultSampleDir(), env: Env = {}): Record<string, string> {
  const roots = env.ALLOWED_FILE_ROOTS?.trim();
  return {
    MIRRORS_FILE: path.join(sampleDir, "mirrors.json"),
    ALLOWED_FILE_ROOTS: roots ? `${roots},${sampleDir}` : sampleDir,
  };
}

export interface SampleRunOptions {
  /** The emulator's Graph URL, e.g. `http://127.0.0.1:4000/v1.0`. */
  readonly graphBaseUrl: string;
  /** A token the emulator accepts (DEFAULT_TOKEN). */
  readonly token: string;
  readonly stateDir: string;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly signal: AbortSignal;
  readonly sampleDir?: string;
  readonly json?: boolean;
}

/** Runs the sample mirror once in this process; prints progress and where each file landed. Exit status. */
export async function runSampleMirror(options: SampleRunOptions): Promise<number> {
  const sampleDir = options.sampleDir ?? defaultSampleDir();
  await ensureSampleFiles(sampleDir);
  const env: Env = {
    GRAPH_BASE_URL: options.graphBaseUrl,
    GRAPH_ACCESS_TOKEN: options.token,
    ...sampleMirrorEnv(sampleDir),
  };
  const definitions = await loadMirrorDefinitions(parseMirrorSettings(env));
  return mirrorCommand(
    { once: true, parallel: "4", stateDir: options.stateDir, ...(options.json ? { json: true } : {}) },
    { env, stdout: options.stdout, stderr: options.stderr, signal: options.signal, definitions },
  );
}
