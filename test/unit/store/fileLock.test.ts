/**
 * The job-file lock (src/store/fileLock.ts): a lock file holds its owner from the moment it exists (written to a
 * temp file, then hard-linked), so starters racing for one file never take each other's lock for a torn one.
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LockedError, lockFile } from "../../../src/store/fileLock.js";

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function jobFile(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "gm-lock-"));
  dirs.push(dir);
  return path.join(dir, "jobs.json");
}

describe("job-file lock", () => {
  it("lets exactly one of many simultaneous starters hold it; the others are refused naming the holder", async () => {
    const file = await jobFile();
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => lockFile(file)));
    const held = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r) => r.status === "rejected");
    expect(held).toHaveLength(1);
    expect(refused).toHaveLength(7);
    for (const r of refused) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(LockedError);
    // The lock names its owner, and no temp file is left beside it.
    expect(JSON.parse(await readFile(`${file}.lock`, "utf8"))).toMatchObject({ pid: process.pid });
    expect(await readdir(path.dirname(file))).toEqual(["jobs.json.lock"]);
    await (held[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof lockFile>>>).value.release();
    expect(await readdir(path.dirname(file))).toEqual([]);
    // Released: the next starter gets it.
    await (await lockFile(file)).release();
  });
});
