/**
 * The job-file lock (src/store/fileLock.ts): a lock file holds its owner from the moment it exists (written to a
 * temp file, then hard-linked), so starters racing for one file never take each other's lock for a torn one.
 */
import { spawn } from "node:child_process";
import { readdir, readFile, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { LockedError, lockFile } from "../../../src/store/fileLock.js";
import { listenExclusive, mutexAddress, takeHostMutex } from "../../../src/store/hostMutex.js";
import { tempDirsPerTest } from "../../support/tempDirs.js";

const dirs = tempDirsPerTest("gm-lock-");

async function jobFile(): Promise<string> {
  return path.join(await dirs.make(), "jobs.json");
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

describe("job-file lock release", () => {
  it("releases once: a second release leaves the next holder's lock alone", async () => {
    const file = await jobFile();
    const first = await lockFile(file);
    await first.release();
    const second = await lockFile(file);
    await first.release();
    expect(JSON.parse(await readFile(`${file}.lock`, "utf8"))).toMatchObject({ pid: process.pid });
    await expect(lockFile(file)).rejects.toMatchObject({ name: "LockedError", pid: process.pid });
    await second.release();
    expect(await readdir(path.dirname(file))).toEqual([]);
  });
});

/** The pid of a child process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((resolve) => child.once("exit", resolve));
  if (child.pid === undefined) throw new Error("no pid");
  return child.pid;
}

/**
 * The host mutex (src/store/hostMutex.ts) taken before the lock file. Linux and Windows only: elsewhere there is
 * none. The multi-process race and a SIGKILLed holder are in test/integration/store/fileLockRace.test.ts.
 */
describe.runIf(process.platform === "linux" || process.platform === "win32")(
  "job-file lock's host mutex",
  () => {
    it("refuses a starter while another holds the mutex, even over a dead holder's lock, naming no dead pid", async () => {
      const file = await jobFile();
      const dead = await deadPid();
      await writeFile(`${file}.lock`, JSON.stringify({ pid: dead, host: os.hostname() }));
      // Another process inside the takeover holds the mutex: this one must not remove the lock under it.
      const other = await takeHostMutex(`${file}.lock`);
      if (other === undefined || other === "busy") throw new Error(`no mutex: ${other}`);
      const refused = await lockFile(file).catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(LockedError);
      // The process inside the takeover is not the dead pid the lock file still names.
      expect((refused as LockedError).pid).toBeUndefined();
      expect((refused as LockedError).message).not.toContain(String(dead));
      expect(JSON.parse(await readFile(`${file}.lock`, "utf8"))).toMatchObject({ pid: dead });
      // The mutex free again, the dead holder's lock is taken over at once.
      await other.release();
      const lock = await lockFile(file);
      expect(JSON.parse(await readFile(`${file}.lock`, "utf8"))).toMatchObject({ pid: process.pid });
      await lock.release();
    });

    it("holds the mutex as long as the lock and frees it on release", async () => {
      const file = await jobFile();
      const lock = await lockFile(file);
      expect(await takeHostMutex(`${file}.lock`)).toBe("busy");
      await lock.release();
      const free = await takeHostMutex(`${file}.lock`);
      expect(free).toMatchObject({ release: expect.any(Function) });
      await (free as Exclude<typeof free, "busy" | undefined>).release();
      await (await lockFile(file)).release();
    });

    it("is one mutex per file however the path is spelt (a symlinked folder)", async () => {
      const file = await jobFile();
      const alias = `${path.dirname(file)}-alias`;
      await symlink(path.dirname(file), alias, "dir");
      dirs.track(alias);
      const lock = await lockFile(file);
      // The held set knows only the spelling it was given; the mutex refuses the other one.
      await expect(lockFile(path.join(alias, "jobs.json"))).rejects.toMatchObject({
        name: "LockedError",
        pid: process.pid,
      });
      await lock.release();
    });

    it("derives one address per lock path", () => {
      const address = mutexAddress("/tmp/a/jobs.json.lock");
      expect(address).toMatch(/graph-mirror-lock-[0-9a-f]{32}$/);
      expect(mutexAddress("/tmp/b/jobs.json.lock")).not.toBe(address);
      // Per user: another user binding the name first cannot refuse our starts.
      expect(mutexAddress("/tmp/a/jobs.json.lock", 1000)).not.toBe(
        mutexAddress("/tmp/a/jobs.json.lock", 1001),
      );
      expect(mutexAddress("/tmp/a/jobs.json.lock", 1000)).toBe(mutexAddress("/tmp/a/jobs.json.lock", 1000));
    });
  },
);

// Path sockets are Unix-only (Windows binds named pipes, tested through lockFile above).
describe.runIf(process.platform !== "win32")("host mutex binding", () => {
  it("reports a held address as busy, and any other socket error as no mutex (the lock goes on without it)", async () => {
    const dir = path.dirname(await jobFile());
    const address = path.join(dir, "m.sock");
    const first = await listenExclusive(address);
    expect(first).toMatchObject({ release: expect.any(Function) });
    expect(await listenExclusive(address)).toBe("busy");
    await (first as Exclude<typeof first, "busy" | undefined>).release();
    // ENOENT (no such folder) stands for a sandbox refusing sockets: not a failure of the command.
    expect(await listenExclusive(path.join(dir, "missing", "m.sock"))).toBeUndefined();
  });
});
