/**
 * A host-wide mutex per job file that the kernel frees when its holder dies, taken before the job-file lock
 * (fileLock.ts) and held as long as it (docs/pipeline.md "The CLI drives the same worker").
 *
 * Why: the lock file alone cannot make taking over a dead holder's lock safe. Two starters can both read the
 * dead owner; A removes the stale lock and creates its own, then B removes A's fresh lock and creates its own,
 * and two processes rewrite one state file. Every file-only fix has the same shape (read, decide, remove):
 * proper-lockfile's mtime staleness narrows the window but still has it, and would make a resumed upload wait
 * seconds after every kill. A name that only one process can bind, and that the kernel unbinds the moment that
 * process dies (SIGKILL included), has neither problem: no staleness to judge, nothing left behind.
 *
 * - Linux: a Unix socket in the abstract namespace (a leading NUL: no file, EADDRINUSE while bound). That
 *   namespace is per network namespace, so it covers the processes of one host or container; the lock file
 *   still covers the rest (another host's pid is never taken over).
 * - Windows: a named pipe; libuv creates its first instance exclusively (EADDRINUSE while it exists).
 * - Elsewhere (macOS) Node has no such primitive: no mutex, the caller keeps the lock file alone.
 */
import { createHash } from "node:crypto";
import { realpath } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";

export interface HostMutex {
  release(): Promise<void>;
}

/**
 * Takes the mutex for a lock file (its folder must exist). "busy": another process (or another lockFile of
 * this one) holds it. undefined: none on this platform, or the socket was refused (a sandbox without Unix
 * sockets); the caller goes on without it rather than fail the command.
 */
export async function takeHostMutex(lockPath: string): Promise<HostMutex | "busy" | undefined> {
  const address = mutexAddress(await canonicalPath(lockPath));
  return address === undefined ? undefined : listenExclusive(address);
}

/** Binds one address exclusively: the mutex itself, exported for its tests. */
export function listenExclusive(address: string): Promise<HostMutex | "busy" | undefined> {
  // Nobody connects on purpose; a stray client is dropped rather than kept open.
  const server = createServer((socket) => socket.destroy());
  return new Promise((resolve) => {
    server.once("error", (err: NodeJS.ErrnoException) => {
      resolve(err.code === "EADDRINUSE" ? "busy" : undefined);
    });
    server.listen(address, () => {
      // The mutex never keeps the process alive: the command ends when its work does.
      server.unref();
      resolve({
        release: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

/**
 * The address for a canonical lock path, or undefined where the platform has no kernel-released name. The
 * abstract namespace has no permissions, so on POSIX the user id is part of the name: another local user could
 * otherwise bind a predictable name first and refuse every start of ours. Two users on one state file still
 * meet at the lock file, whose live holder is refused (fileLock.ts).
 */
export function mutexAddress(
  canonicalLockPath: string,
  uid: number | undefined = process.getuid?.(),
): string | undefined {
  const owner = uid === undefined ? "" : `${uid}:`;
  const hex = createHash("sha256").update(`${owner}${canonicalLockPath}`).digest("hex").slice(0, 32);
  if (process.platform === "linux") return `\0graph-mirror-lock-${hex}`;
  if (process.platform === "win32") return `\\\\?\\pipe\\graph-mirror-lock-${hex}`;
  return undefined;
}

/**
 * One name per file however it is spelt (relative, through a symlinked folder): the folder's real path plus
 * the file name, since the lock file itself may not exist yet. Windows paths are case-insensitive.
 */
async function canonicalPath(lockPath: string): Promise<string> {
  const full = path.join(await realpath(path.dirname(path.resolve(lockPath))), path.basename(lockPath));
  return process.platform === "win32" ? full.toLowerCase() : full;
}
