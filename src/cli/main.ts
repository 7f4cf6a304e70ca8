/**
 * The `graph-mirror` command. Each subcommand lives in its own module under ./commands and registers itself
 * through ./commands/index.ts, so areas of the product can grow without touching this file.
 */
import { Command } from "commander";
import { VERSION } from "../version.js";
import { registerCommands } from "./commands/index.js";

const program = new Command("graph-mirror")
  .description("Mirror files to SharePoint document libraries and OneDrive through Microsoft Graph")
  .version(VERSION)
  .showHelpAfterError();

await registerCommands(program, process.argv);

try {
  await program.parseAsync(process.argv);
} catch (err: unknown) {
  process.stderr.write(`graph-mirror: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = process.exitCode || 2;
}
