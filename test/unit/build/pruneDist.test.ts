/**
 * scripts/prune-dist.mjs: after a build, compiled files whose TypeScript source is gone leave dist/ (a stale
 * dist/src/functions/*.js is a live function to the host, docs/local-development.md "Build output"); everything
 * else stays.
 */
import { mkdir, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { pruneDist } from "../../../scripts/prune-dist.mjs";
import { tempDirsPerTest } from "../../support/tempDirs.js";

const dirs = tempDirsPerTest("gm-prune-");

async function repoWith(files: readonly string[]): Promise<string> {
  const repo = await dirs.make();
  for (const file of files) {
    await mkdir(path.dirname(path.join(repo, file)), { recursive: true });
    await writeFile(path.join(repo, file), "");
  }
  return repo;
}

async function listed(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

describe("pruneDist", () => {
  it("removes the outputs of sources that are gone, and the folders they leave empty, and nothing else", async () => {
    const repo = await repoWith([
      "src/index.ts",
      "src/functions/wakeQueue.ts",
      "bench/run.ts",
      "dist/src/index.js",
      "dist/src/index.js.map",
      "dist/src/functions/wakeQueue.js",
      "dist/src/functions/wakeQueue.js.map",
      // A queue function renamed long ago: still registered by the host while its .js is there.
      "dist/src/functions/stepQueue.js",
      "dist/src/functions/stepQueue.js.map",
      "dist/src/core/worker.js",
      "dist/bench/run.js",
      "dist/bench/old.js",
    ]);
    // The tests' build lock is an empty folder (proper-lockfile), held while the prune runs.
    await mkdir(path.join(repo, "dist", ".build.lock"));
    const removed = pruneDist(repo);
    expect(removed.sort()).toEqual(
      [
        "dist/bench/old.js",
        "dist/src/core/worker.js",
        "dist/src/functions/stepQueue.js",
        "dist/src/functions/stepQueue.js.map",
      ].map((f) => path.normalize(f)),
    );
    expect(await readdir(path.join(repo, "dist", ".build.lock"))).toEqual([]);
    expect(await listed(path.join(repo, "dist"))).toEqual(
      [
        "bench/run.js",
        "src/functions/wakeQueue.js",
        "src/functions/wakeQueue.js.map",
        "src/index.js",
        "src/index.js.map",
      ].map((f) => path.normalize(f)),
    );
    // src/core held only a stale file: the folder is gone too.
    await expect(readdir(path.join(repo, "dist", "src", "core"))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("does nothing without a dist folder", async () => {
    const repo = await repoWith(["src/index.ts"]);
    expect(pruneDist(repo)).toEqual([]);
  });
});
