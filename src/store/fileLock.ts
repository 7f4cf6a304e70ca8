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
import { mkdir, open, readFile, rm } from "node:fs/promises";
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
    if (await tryCreate(lockPath)) {
      held.add(lockPath);
      return {
        release: async () => {
          held.delete(lockPath);
          await rm(lockPath, { force: true });
        },
      };
    }
    const owner = await readOwner(lockPath);
    if (owner && isAlive(owner, lockPath)) throw new LockedError(file, owner.pid);
    // The holder is gone (or the lock is unreadable, i.e. torn by a crash mid-write): take it over. Two new
    // processes racing for one dead holder's lock could both win; two people starting the same command within
    // the same millisecond after a crash is a risk this lock accepts.
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

async function tryCreate(lockPath: string): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(lockPath, "wx", 0o600);
  } catch (err: unknown) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  }
  try {
    const owner: LockOwner = { pid: process.pid, host: os.hostname() };
    await handle.writeFile(JSON.stringify(owner), "utf8");
  } finally {
    await handle.close();
  }
  return true;
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
