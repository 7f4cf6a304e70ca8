import type { Command } from "commander";

type CommandModule = { register(program: Command): void };

/**
 * Every subcommand module exports a `register(program)`; add one entry here per module. Modules are imported
 * only when needed: each pulls in its own SDKs (Azure Storage, identity, the Functions host...), and loading
 * all of them costs every command ~15 MiB of RSS and start-up time (bench/upload peak-RSS figures).
 */
const COMMANDS: Readonly<Record<string, () => Promise<CommandModule>>> = {
  upload: () => import("./upload.js"),
  start: () => import("./start.js"),
  login: () => import("./login.js"),
  auth: () => import("./auth.js"),
  mirror: () => import("./mirror.js"),
  status: () => import("./status.js"),
  emulator: () => import("./emulator.js"),
  ls: () => import("./ls.js"),
  check: () => import("./check.js"),
  permissions: () => import("./permissions.js"),
};

/** Registers the subcommand named in `argv` when there is one, otherwise all of them (for help output). */
export async function registerCommands(program: Command, argv: readonly string[]): Promise<void> {
  const named = argv.slice(2).find((arg) => !arg.startsWith("-"));
  const chosen = named !== undefined && named in COMMANDS ? [named] : Object.keys(COMMANDS);
  for (const name of chosen) {
    const load = COMMANDS[name];
    if (load) (await load()).register(program);
  }
}
