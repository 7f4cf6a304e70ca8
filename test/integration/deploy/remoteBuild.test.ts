/**
 * The Flex Consumption remote build, rehearsed: copy only the files .funcignore lets through into an empty
 * folder and compile them with `npm run build`'s tsconfig (tsconfig.build.json includes src and bench; bench is
 * not there, nor are the emulator, the local host and the CLI). The build must succeed and emit every entry
 * point package.json "main" names. node_modules is linked, not installed: the remote build installs the same
 * lockfile.
 */
import { execFile } from "node:child_process";
import { cp, mkdtemp, readdir, rm, stat, symlink } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT, shippedFiles } from "../../support/funcignore.js";

const run = promisify(execFile);

describe("the deployed package", () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("builds without the emulator, the local host, the CLI, benchmarks and tests", {
    timeout: 240_000,
  }, async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "graph-mirror-deploy-"));
    const shipped = shippedFiles();
    for (const file of shipped) await cp(path.join(REPO_ROOT, file), path.join(dir, file));
    await symlink(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    const tsc = path.join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
    await run(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: dir });

    const functions = shipped.filter((f) => /^src\/functions\/[^/]+\.ts$/.test(f));
    expect((await stat(path.join(dir, "dist/src/index.js"))).isFile()).toBe(true);
    const emitted = await readdir(path.join(dir, "dist/src/functions"));
    for (const file of functions) expect(emitted).toContain(path.basename(file).replace(/\.ts$/, ".js"));
    const top = await readdir(path.join(dir, "dist/src"));
    for (const excluded of ["emulator", "localhost", "cli"]) expect(top).not.toContain(excluded);
  });
});
