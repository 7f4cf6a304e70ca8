import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { writeFileAtomic } from "../../../src/store/atomicFile.js";

describe("writeFileAtomic", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "gm-atomic-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("replaces a world-readable file with a 0600 one and leaves no temp file", async () => {
    const file = path.join(dir, "nested", "state.json");
    await mkdir(path.dirname(file));
    await writeFile(file, "old");
    await chmod(file, 0o644);
    await writeFileAtomic(file, "new", { syncDirectory: true });
    expect(await readFile(file, "utf8")).toBe("new");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(path.dirname(file))).toEqual(["state.json"]);
  });

  it("creates missing folders owner-only", async () => {
    const file = path.join(dir, "a", "b", "token.json");
    await writeFileAtomic(file, "{}");
    expect((await stat(path.join(dir, "a", "b"))).mode & 0o777).toBe(0o700);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it("removes its temp file when the rename fails, keeping what was there", async () => {
    const target = path.join(dir, "occupied");
    await mkdir(target);
    await writeFile(path.join(target, "inside"), "x");
    await expect(writeFileAtomic(target, "text")).rejects.toThrow();
    expect((await readdir(dir)).sort()).toEqual(["occupied"]);
    expect(await readdir(target)).toEqual(["inside"]);
  });
});
