/**
 * Tests of the local host load the compiled app (dist/), as the Functions host does. `npm ci` builds it
 * (the `prepare` script); this rebuilds once when a source file is newer than the build, under a lock so
 * parallel test files do not compile over each other.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import lockfile from "proper-lockfile";
import { pruneDist } from "../../scripts/prune-dist.mjs";

export const REPO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const MARKER = path.join(REPO_DIR, "dist", "src", "index.js");

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

function builtAt(): number {
  try {
    return statSync(MARKER).mtimeMs;
  } catch {
    return 0;
  }
}

/** The newest source the build compiles that tests run compiled: the app, and the bench's child scripts. */
function newestBuiltSource(): number {
  return Math.max(newestSource(path.join(REPO_DIR, "src")), newestSource(path.join(REPO_DIR, "bench")));
}

export async function ensureBuilt(): Promise<void> {
  if (builtAt() >= newestBuiltSource()) return;
  mkdirSync(path.join(REPO_DIR, "dist"), { recursive: true });
  const release = await lockfile.lock(REPO_DIR, {
    lockfilePath: path.join(REPO_DIR, "dist", ".build.lock"),
    retries: { retries: 60, minTimeout: 1000, maxTimeout: 1000 },
    stale: 120_000,
  });
  try {
    if (builtAt() < newestBuiltSource()) {
      execFileSync(
        process.execPath,
        [path.join(REPO_DIR, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"],
        {
          cwd: REPO_DIR,
          stdio: "ignore",
        },
      );
    }
  } catch {
    // tsc exits non-zero on type errors but still emits; the tests below fail loudly if the build is unusable.
  } finally {
    try {
      // Outputs of renamed or deleted sources go, as after `npm run build` (docs/local-development.md "Build output").
      pruneDist(REPO_DIR);
    } finally {
      await release();
    }
  }
}
