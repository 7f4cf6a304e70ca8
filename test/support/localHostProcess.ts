/**
 * Runs the built-in local Functions host (dist/src/localhost/main.js) as a child process, as `graph-mirror
 * start` does, on a free port, and collects its output for assertions.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { REPO_DIR } from "./builtApp.js";

export interface LocalHostProcess {
  readonly child: ChildProcess;
  readonly baseUrl: string;
  output(): string;
  kill(signal: NodeJS.Signals): Promise<void>;
}

/**
 * An app folder whose package.json `main` points at the real compiled registrations in this repository, with
 * the repository's host.json adjusted by `queues` (e.g. a zero visibility timeout, so retries need no waiting).
 */
export function appFolder(queues: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), "gm-app-"));
  const relative = path.relative(dir, path.join(REPO_DIR, "dist", "src"));
  writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({ name: "app", type: "module", main: `${relative}/{index.js,functions/*.js}` }),
  );
  const host = JSON.parse(readFileSync(path.join(REPO_DIR, "host.json"), "utf8")) as {
    extensions: { queues: Record<string, unknown> };
  };
  host.extensions.queues = { ...host.extensions.queues, ...queues };
  writeFileSync(path.join(dir, "host.json"), JSON.stringify(host));
  return dir;
}

export async function startLocalHostProcess(
  appDir: string,
  env: Record<string, string>,
): Promise<LocalHostProcess> {
  const child = spawn(process.execPath, [path.join(REPO_DIR, "dist", "src", "localhost", "main.js")], {
    cwd: appDir,
    env: { PATH: process.env.PATH ?? "", APP_DIR: appDir, PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`local host did not start within 30 s:\n${output}`)),
      30_000,
    );
    const check = () => {
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match && output.includes("Functions:")) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`local host exited with code ${code}:\n${output}`));
    });
  });
  return {
    child,
    baseUrl: `http://127.0.0.1:${port}`,
    output: () => output,
    kill: (signal) =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill(signal);
      }),
  };
}

/** Polls `check` every `everyMs` until it returns a value, or fails after `timeoutMs` (real time: a server). */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
