/**
 * Replaces a file atomically with mode 0600: write a temp file beside it (created 0600, chmod'ed so the umask
 * cannot change that), fsync, rename over the old file. A crash mid-write leaves the previous content, never a
 * torn file, and the result is 0600 whatever the old file's mode was, because rename replaces the inode. Used
 * for every local file that may hold a credential: the CLI's job state (upload URLs), token.json, the mirror
 * state, the emulator's snapshot (its sessions' upload secrets). docs/design.md invariant 5.
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, rename, rm } from "node:fs/promises";
import path from "node:path";

export interface AtomicWriteOptions {
  /**
   * Also fsync the folder, so the rename itself survives a power cut (POSIX). Costs one more sync per write:
   * worth it for files written rarely (token.json), not for state rewritten after every upload step, where
   * a lost rename only means resuming from the previous step (the server's offset is asked for anyway).
   */
  readonly syncDirectory?: boolean;
}

export async function writeFileAtomic(
  file: string,
  text: string,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString("hex")}.tmp`);
  const handle = await open(temp, "wx", 0o600);
  try {
    await handle.writeFile(text, "utf8");
    // The umask can only remove bits; chmod makes 0600 exact even under an unusual umask.
    await handle.chmod(0o600);
    await handle.sync();
  } catch (err: unknown) {
    await handle.close();
    await rm(temp, { force: true });
    throw err;
  }
  await handle.close();
  try {
    await rename(temp, file);
  } catch (err: unknown) {
    await rm(temp, { force: true });
    throw err;
  }
  if (options.syncDirectory) await syncDirectory(dir);
}

async function syncDirectory(dir: string): Promise<void> {
  // Windows cannot open a directory for fsync, and NTFS renames are durable.
  if (process.platform === "win32") return;
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
