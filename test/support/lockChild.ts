/**
 * A separate process taking a job-file lock, for the lock's multi-process tests: the built
 * src/store/fileLock.ts in dist/ (call ensureBuilt() first), as the CLI loads it. It talks in lines on stdout:
 * "paused" when it stops inside the takeover seam (LockOptions.beforeTakeover; "go" on stdin lets it on),
 * "acquired" once it holds the lock, "released" after "release" on stdin (or stdin's end), "locked <pid>" when
 * refused, "error <message>" otherwise.
 */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { REPO_DIR } from "./builtApp.js";

const SCRIPT = `
import { createInterface } from "node:readline";
const { lockFile, LockedError } = await import(process.env.LOCK_MODULE);
const input = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const next = async () => (await input.next()).value;
const say = (line) => process.stdout.write(line + "\\n");
try {
  const lock = await lockFile(process.env.LOCK_FILE, {
    beforeTakeover: async () => { say("paused"); await next(); },
  });
  say("acquired");
  await next();
  await lock.release();
  say("released");
} catch (err) {
  say(err instanceof LockedError ? "locked " + err.pid : "error " + String(err));
}
process.stdin.destroy();
`;

export class LockChild {
  private readonly lines: string[] = [];
  private readonly waiting: ((line: string) => void)[] = [];
  readonly exited: Promise<void>;

  private constructor(readonly child: ChildProcess) {
    const stdout = child.stdout;
    if (!stdout) throw new Error("no stdout");
    createInterface({ input: stdout }).on("line", (line) => {
      const waiter = this.waiting.shift();
      if (waiter) waiter(line);
      else this.lines.push(line);
    });
    // Writing to a child that has already ended is not the test's failure; its missing answer is.
    child.stdin?.on("error", () => {});
    let stderr = "";
    child.stderr?.on("data", (data: Buffer) => {
      stderr += data.toString();
    });
    this.exited = new Promise((resolve) => child.once("close", () => resolve()));
    // A child that dies without a word fails the test with its stderr instead of hanging it.
    void this.exited.then(() => {
      for (const waiter of this.waiting.splice(0)) waiter(`exit ${child.exitCode} ${stderr}`);
    });
  }

  static start(file: string): LockChild {
    const module = pathToFileURL(path.join(REPO_DIR, "dist", "src", "store", "fileLock.js")).href;
    const child = spawn(process.execPath, ["--input-type=module", "-e", SCRIPT], {
      env: { ...process.env, LOCK_MODULE: module, LOCK_FILE: file },
      stdio: ["pipe", "pipe", "pipe"],
    });
    return new LockChild(child);
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error("no pid");
    return this.child.pid;
  }

  /** The next line it reports. */
  next(): Promise<string> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve("exited");
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  send(line: string): void {
    this.child.stdin?.write(`${line}\n`);
  }
}
