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

const VERSION_FLAGS: ReadonlySet<string> = new Set(["--version", "-V"]);
/** The program's own options (src/cli/main.ts): with these alone, no subcommand is looked at. */
const PROGRAM_FLAGS: ReadonlySet<string> = new Set([...VERSION_FLAGS, "-v", "--verbose", "-q", "--quiet"]);

/**
 * The subcommands to register for `argv`: the one named, when there is one; none for `--version`/`-V` with at most the program's own -v/-q
 * (commander answers it before looking at any subcommand, and loading all ten cost `--version` 0.7 s and
 * ~100 MiB, issue 17); otherwise all of them (for help output and commander's unknown-command error).
 */
export function commandsFor(argv: readonly string[]): string[] {
  const args = argv.slice(2);
  const named = args.find((arg) => !arg.startsWith("-"));
  if (named !== undefined && named in COMMANDS) return [named];
  const asksVersion = args.some((arg) => VERSION_FLAGS.has(arg));
  if (named === undefined && asksVersion && args.every((arg) => PROGRAM_FLAGS.has(arg))) return [];
  return Object.keys(COMMANDS);
}

/** Registers the subcommands {@link commandsFor} chooses. */
export async function registerCommands(program: Command, argv: readonly string[]): Promise<void> {
  const chosen = commandsFor(argv);
  for (const name of chosen) {
    const load = COMMANDS[name];
    if (load) (await load()).register(program);
  }
}
