/**
 * The `graph-mirror` command. Each subcommand lives in its own module under ./commands and registers itself
 * through ./commands/index.ts, so areas of the product can grow without touching this file.
 */
import { Command } from "commander";
import { VERSION } from "../version.js";
import { registerCommands } from "./commands/index.js";
import { checkNodeVersion } from "./nodeVersion.js";

// Said before anything runs (the local host included), so an untested Node.js is never a silent surprise.
const nodeCheck = checkNodeVersion(process.version);
if (nodeCheck.message) process.stderr.write(`graph-mirror: ${nodeCheck.message}\n`);
if (nodeCheck.level === "error") process.exit(2);

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
