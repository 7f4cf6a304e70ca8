/**
 * One process at a time per CLI job file. The file store (fileJobStore.ts) keeps every row in memory and
 * rewrites the whole file, so two processes on one file would silently overwrite each other; and a lease found
 * in a file we hold the lock of can only belong to a process that died (docs/pipeline.md "The CLI drives the
 * same worker"), which is what lets the next run release it at once instead of waiting it out.
 *
 * The lock is a `<file>.lock` file created exclusively, naming the holder's pid and host. A lock whose process is
 * gone (SIGKILL, a crash) is taken over at once: proper-lockfile's mtime staleness would make a resumed upload
 * wait seconds after every kill, and the holder is on this machine anyway (the state file is a local file).
 */
import { randomUUID } from "node:crypto";
import { link, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

interface LockOwner {
  readonly pid: number;
  readonly host: string;
}

/** Lock files this process holds now: a lock naming our own pid but not listed here was left by a reused pid. */
const held = new Set<string>();

export interface FileLock {
  release(): Promise<void>;
}

/** Takes the lock, or throws LockedError naming the live holder. */
export async function lockFile(file: string): Promise<FileLock> {
  const lockPath = `${file}.lock`;
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  for (let attempt = 0; attempt < 3; attempt++) {
    // This process holds it already (or is taking it right now): refused, never taken over.
    if (held.has(lockPath)) throw new LockedError(file, process.pid);
    // Listed before the attempt, so a second lockFile of this process never mistakes our lock for a reused pid's.
    held.add(lockPath);
    if (await tryCreate(lockPath)) {
      return {
        release: async () => {
          held.delete(lockPath);
          await rm(lockPath, { force: true });
        },
      };
    }
    held.delete(lockPath);
    const owner = await readOwner(lockPath);
    if (owner && isAlive(owner, lockPath)) throw new LockedError(file, owner.pid);
    // The holder is gone (a lock is never empty, see tryCreate; an unreadable one was damaged): take it over.
    // Two new processes racing for one dead holder's lock could both remove it and one create its own in
    // between; starting the same command twice within milliseconds after a crash is a risk this lock accepts.
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

function isAlive(owner: LockOwner, lockPath: string): boolean {
  // Another machine's process (a shared folder) cannot be asked: assume it is alive.
  if (owner.host !== os.hostname()) return true;
  if (owner.pid === process.pid) return held.has(lockPath);
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (err: unknown) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
