/**
 * One emulator per data directory: two processes appending to one journal would corrupt it. The owner's pid is
 * kept in `emulator.pid`; a pid file whose process is gone (a crash, SIGKILL) is taken over.
 */
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { ConfigError } from "../../core/shared/validationError.js";

const PID_FILE = "emulator.pid";

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err: unknown) {
    // EPERM: the process exists but belongs to someone else.
    return err instanceof Error && "code" in err && err.code === "EPERM";
  }
}

async function ownerOf(file: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(file, "utf8")).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Claims `dir` for this process; resolves to the release function. */
export async function lockDataDir(dir: string): Promise<() => Promise<void>> {
  const file = path.join(dir, PID_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(file, `${process.pid}\n`, { flag: "wx" });
      return () => rm(file, { force: true });
    } catch (err: unknown) {
      if (!(err instanceof Error && "code" in err && err.code === "EEXIST")) throw err;
    }
    const owner = await ownerOf(file);
    if (owner !== undefined && isRunning(owner)) {
      throw new ConfigError(
        [{ field: "dataDir", rule: `is in use by another emulator (pid ${owner}, see ${file})` }],
        "emulator options",
      );
    }
    await rm(file, { force: true });
  }
  throw new ConfigError([{ field: "dataDir", rule: `could not be claimed (${file})` }], "emulator options");
}
