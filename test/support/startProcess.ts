/**
 * `graph-mirror start` as a child process, the way a person runs it: the built CLI, the built-in local host (no
 * Core Tools), any free port for the API, a data folder of the test's own. The environment is minimal (PATH, a
 * HOME inside dist/ so nothing touches the real one, no mirrors) plus what the test adds.
 */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { REPO_DIR } from "./builtApp.js";

export interface StartOptions {
  readonly dataDir: string;
  readonly env: Readonly<Record<string, string>>;
  /** Its own process group, like a shell's foreground job: a signal to the group reaches every child. */
  readonly detached?: boolean;
}

export function spawnStart(options: StartOptions): ChildProcess {
  return spawn(
    process.execPath,
    [
      path.join(REPO_DIR, "bin", "graph-mirror.js"),
      "start",
      "--port",
      "0",
      "--no-core-tools",
      "--data-dir",
      options.dataDir,
    ],
    {
      cwd: REPO_DIR,
      env: { PATH: process.env.PATH ?? "", HOME: path.join(REPO_DIR, "dist"), MIRRORS: "[]", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
      ...(options.detached ? { detached: true } : {}),
    },
  );
}
