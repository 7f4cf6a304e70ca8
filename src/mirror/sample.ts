/**
 * The bundled sample (issue 6 quick start): `sample/` holds a `dashboard-status.json`, a `carpuncle.log` and,
 * generated at first start, `exports/large-export.bin` (25 MiB of deterministic bytes: several upload chunks).
 * `sample/mirrors.json` mirrors the folder to the emulator's SharePoint site /sites/Ops (library "Documents")
 * and to Adele's OneDrive.
 *
 * Two ways in, both used by the start command when no tenant is configured:
 * - `sampleMirrorEnv()` adds MIRRORS_FILE and ALLOWED_FILE_ROOTS for the function app (the local host's pass at
 *   start, then its queue pipeline);
 * - `runSampleMirror()` (src/cli/sampleRun.ts: it drives the CLI's mirror command) runs it in this process, like
 *   `graph-mirror mirror --once`, with progress bars.
 */
import { mkdir, open, stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Env } from "../config/auth.js";

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
