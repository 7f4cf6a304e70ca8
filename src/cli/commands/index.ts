import type { Command } from "commander";

/** Every subcommand module exports a `register(program)`; add one line here per module. */
export function registerCommands(program: Command): void {
  void program;
}
