/**
 * One process at a time per CLI job file. The file store (fileJobStore.ts) keeps every row in memory and
 * writes the file from it, so two processes on one file would silently overwrite each other; and a lease found
 * in a file we hold the lock of can only belong to a process that died (docs/pipeline.md "The CLI drives the
 * same worker"), which is what lets the next run release it at once instead of waiting it out.
 *
 * The lock is a `<file>.lock` file created exclusively, naming the holder's pid and host. A lock whose process is
 * gone (SIGKILL, a crash) is taken over at once: proper-lockfile's mtime staleness would make a resumed upload
 * wait seconds after every kill, and the holder is on this machine anyway (the state file is a local file).
 * Taking over is read, decide, remove: two starters could both find the dead owner, and the second would remove
 * the first one's fresh lock. So the whole sequence runs under a host-wide mutex the kernel frees when its
 * holder dies (hostMutex.ts), taken first and held as long as the lock. On Linux and Windows only; on other
 * platforms (macOS) Node has no such primitive, and starting one command twice within milliseconds after a
 * crash remains a risk there. The lock file stays: it names the holder, and it covers a state file on a folder
 * shared between machines, which no host mutex can.
 */
import { randomUUID } from "node:crypto";
import { link, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { takeHostMutex } from "./hostMutex.js";

interface LockOwner {
  readonly pid: number;
  readonly host: string;
}

/** Lock files this process holds or is taking now: a second lockFile of one file is refused, never waited for. */
const held = new Set<string>();

export interface FileLock {
  release(): Promise<void>;
}

export interface LockOptions {
  /**
   * Test seam, never set by the app: awaited after a dead holder's lock was found and before it is removed, so
   * a test can hold several starters inside the takeover at once (test/integration/store/fileLockRace.test.ts).
   */
  readonly beforeTakeover?: () => Promise<void>;
}

/** Takes the lock, or throws LockedError naming the live holder. */
export async function lockFile(file: string, options: LockOptions = {}): Promise<FileLock> {
  const lockPath = `${file}.lock`;
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  // This process holds it already (or is taking it right now): refused, never taken over.
  if (held.has(lockPath)) throw new LockedError(file, process.pid);
  held.add(lockPath);
  try {
    const mutex = await takeHostMutex(lockPath);
    // Another process is holding or taking the lock. The lock file names the holder, unless that process is
    // still writing it, or is taking over a dead holder's lock (then the pid found is the dead one's): named
    // only when alive, so the message never sends the user after a process that is gone. Our own pid is alive
    // here: the mutex is held, so this process holds the lock under another spelling of the path.
    if (mutex === "busy") {
      const owner = await readOwner(lockPath);
      const live = owner && (owner.pid === process.pid || isAlive(owner));
      throw new LockedError(file, live ? owner.pid : undefined);
    }
    try {
      await createOrTakeOver(file, lockPath, options);
    } catch (err: unknown) {
      await mutex?.release();
      throw err;
    }
    let released = false;
    return {
      release: async () => {
        // Once: a second release must not remove the lock of whoever took it next.
        if (released) return;
        released = true;
        // The file first, then the mutex: a starter let in by the mutex never finds our lock and judges it. The
        // mutex and `held` go even when the file cannot be removed (a dead holder's file is taken over anyway).
        try {
          await rm(lockPath, { force: true });
        } finally {
          await mutex?.release();
          held.delete(lockPath);
        }
      },
    };
  } catch (err: unknown) {
    held.delete(lockPath);
    throw err;
  }
}

async function createOrTakeOver(file: string, lockPath: string, options: LockOptions): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await tryCreate(lockPath)) return;
    const owner = await readOwner(lockPath);
    if (owner && isAlive(owner)) throw new LockedError(file, owner.pid);
    // The holder is gone (a lock is never empty, see tryCreate; an unreadable one was damaged): take it over.
    // Safe under the host mutex; without it (macOS, a sandbox refusing sockets) see the comment on top.
    await options.beforeTakeover?.();
    await rm(lockPath, { force: true });
  }
  throw new LockedError(file, undefined);
}

export class LockedError extends Error {
  constructor(
    readonly file: string,
    readonly pid: number | undefined,
  ) {
    super(`${file} is in use by another graph-mirror process${pid !== undefined ? ` (pid ${pid})` : ""}`);
    this.name = "LockedError";
  }
}

/**
 * Creates the lock with its owner already in it: the owner goes to a private temp file first, which is then
 * hard-linked to the lock path (link fails with EEXIST when the lock exists). So no other process can ever read
 * an empty lock, the window in which a plain create-then-write lock lets a second starter take it over.
 */
async function tryCreate(lockPath: string): Promise<boolean> {
  const temp = `${lockPath}.${process.pid}.${randomUUID()}`;
  const owner: LockOwner = { pid: process.pid, host: os.hostname() };
  await writeFile(temp, JSON.stringify(owner), { encoding: "utf8", mode: 0o600, flag: "wx" });
  try {
    await link(temp, lockPath);
    return true;
  } catch (err: unknown) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  } finally {
    await rm(temp, { force: true });
  }
}

async function readOwner(lockPath: string): Promise<LockOwner | undefined> {
  try {
    const value = JSON.parse(await readFile(lockPath, "utf8")) as Partial<LockOwner>;
    return typeof value.pid === "number" && typeof value.host === "string"
      ? { pid: value.pid, host: value.host }
      : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(owner: LockOwner): boolean {
  // Another machine's process (a shared folder) cannot be asked: assume it is alive.
  if (owner.host !== os.hostname()) return true;
  // Our own pid, while `held` keeps every other lockFile of this process out: left by a process whose pid we reuse.
  if (owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (err: unknown) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
