/**
 * The job-file lock across real processes (src/store/fileLock.ts, src/store/hostMutex.ts): starters racing for a
 * dead holder's lock, and a holder killed with SIGKILL. The children load the built module (test/support/lockChild.ts).
 * Linux and Windows only: elsewhere there is no host mutex and the takeover race is a documented risk.
 */
import { spawn } from "node:child_process";
import { readdir, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { LockedError, lockFile } from "../../../src/store/fileLock.js";
import { ensureBuilt } from "../../support/builtApp.js";
import { LockChild } from "../../support/lockChild.js";
import { tempDirsPerTest } from "../../support/tempDirs.js";

const dirs = tempDirsPerTest("gm-lockrace-");
const children: LockChild[] = [];
beforeAll(async () => {
  await ensureBuilt();
}, 300_000);
afterEach(async () => {
  for (const child of children.splice(0)) {
    child.child.kill("SIGKILL");
    await child.exited;
  }
});

async function jobFile(): Promise<string> {
  return path.join(await dirs.make(), "jobs.json");
}

function start(file: string): LockChild {
  const child = LockChild.start(file);
  children.push(child);
  return child;
}

/** The pid of a child process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((resolve) => child.once("exit", resolve));
  if (child.pid === undefined) throw new Error("no pid");
  return child.pid;
}

const lockOwner = async (file: string) =>
  JSON.parse(await readFile(`${file}.lock`, "utf8")) as { pid: number };

describe.runIf(process.platform === "linux" || process.platform === "win32")(
  "job-file lock across processes",
  () => {
    it("lets exactly one of 8 processes starting at once take over a dead holder's lock", async () => {
      const file = await jobFile();
      await writeFile(`${file}.lock`, JSON.stringify({ pid: await deadPid(), host: os.hostname() }));
      const racers = Array.from({ length: 8 }, () => start(file));
      const outcomes = await Promise.all(racers.map((racer) => racer.next()));
      // Every starter that got as far as removing the dead holder's lock goes on one at a time, each after the
      // one before it holds the lock: without the host mutex all 8 get here, and each one removes the previous
      // one's fresh lock and takes it (8 holders). With it, the first one keeps the others out until it is done.
      for (const [i, racer] of racers.entries()) {
        if (outcomes[i] !== "paused") continue;
        racer.send("go");
        outcomes[i] = await racer.next();
      }
      expect(outcomes.filter((o) => o === "acquired")).toHaveLength(1);
      expect(outcomes.filter((o) => o.startsWith("locked "))).toHaveLength(7);
      const holder = racers[outcomes.indexOf("acquired")] as LockChild;
      expect((await lockOwner(file)).pid).toBe(holder.pid);
      // Still held after every other starter gave up; released, nothing is left beside the state file.
      await expect(lockFile(file)).rejects.toMatchObject({ name: "LockedError", pid: holder.pid });
      holder.send("release");
      expect(await holder.next()).toBe("released");
      await Promise.all(racers.map((racer) => racer.exited));
      expect(await readdir(path.dirname(file))).toEqual([]);
    });

    it("is free at once when its holder is killed (SIGKILL): the kernel releases the mutex", async () => {
      const file = await jobFile();
      const holder = start(file);
      expect(await holder.next()).toBe("acquired");
      const refused = await lockFile(file).catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(LockedError);
      expect((refused as LockedError).pid).toBe(holder.pid);
      holder.child.kill("SIGKILL");
      await holder.exited;
      // Its lock file is still there, naming a dead pid; nothing waits for anything to go stale.
      expect((await lockOwner(file)).pid).toBe(holder.pid);
      const lock = await lockFile(file);
      expect((await lockOwner(file)).pid).toBe(process.pid);
      await lock.release();
    });
  },
);
