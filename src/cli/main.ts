/**
 * The `graph-mirror` command. Each subcommand lives in its own module under ./commands and registers itself
 * through ./commands/index.ts, so areas of the product can grow without touching this file.
 */
import v8 from "node:v8";
import { Command, CommanderError } from "commander";
import { ConfigError } from "../core/shared/validationError.js";
import { VERSION } from "../version.js";
import { registerCommands } from "./commands/index.js";
import { EXIT, EXIT_CODES_HELP } from "./exitCodes.js";
import { checkNodeVersion } from "./nodeVersion.js";

// Node's fetch parses HTTP with a WebAssembly build of llhttp, compiled on the first request. V8's optimising
// tier-up of that module runs on background threads and briefly takes ~25 MiB of RSS, a fifth of the CLI's
// whole peak-memory budget (docs/upload.md "Memory", issue 17). The baseline compiler alone parses Graph's
// few-KiB answers just as well, so the CLI process never tiers up. Set before the first request: the flag is
// read when a module is compiled.
v8.setFlagsFromString("--liftoff-only");
// The young generation starts small and V8 doubles it while much survives a scavenge; an upload allocates fast
// (request and progress objects around every fragment), and the grown young generation held ~15-20 MiB more at
// the 2 GiB peak (docs/upload.md "Memory"). Growth factor 1 keeps it at its starting size: more, shorter
// scavenges of short-lived objects. (--max-semi-space-size only counts on the command line; this flag is read
// whenever the young generation would grow.)
v8.setFlagsFromString("--semi-space-growth-factor=1");
// V8 lets the old generation grow by a factor it picks from its GC speed (up to 4x) before the next full
// collection. Uploading 300 small files leaves mostly garbage behind (request objects, job copies), so the heap
// tripled before anything was collected: 115 MiB peak RSS. A fixed 1.2x collects sooner and peaked at 88 MiB,
// with no change in wall time at 50 ms per request (docs/upload.md "Memory", issue 17). Read at every full GC.
v8.setFlagsFromString("--heap-growing-percent=20");

// Said before anything runs (the local host included), so an untested Node.js is never a silent surprise.
const nodeCheck = checkNodeVersion(process.version);
if (nodeCheck.message) process.stderr.write(`graph-mirror: ${nodeCheck.message}\n`);
if (nodeCheck.level === "error") process.exit(EXIT.usage);

const program = new Command("graph-mirror")
  .description("Mirror files to SharePoint document libraries and OneDrive through Microsoft Graph")
  .version(VERSION)
  .option("-v, --verbose", "say more: every session, resync and retry")
  .option("-q, --quiet", "say less: no progress bars or per-file success lines, only failures")
  .addHelpText("after", EXIT_CODES_HELP)
  .showHelpAfterError()
  // Usage errors (unknown command or option, missing argument) exit 2, not commander's 1 (issue 15 item 9);
  // subcommands registered below inherit this.
  .exitOverride();

await registerCommands(program, process.argv);
for (const command of program.commands) command.addHelpText("after", EXIT_CODES_HELP);

try {
  await program.parseAsync(process.argv);
} catch (err: unknown) {
  if (err instanceof CommanderError) {
    // Commander has already printed the error (or the help); only the exit code is ours.
    process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else {
    process.stderr.write(`graph-mirror: ${err instanceof Error ? err.message : String(err)}\n`);
    // A bad setting or option is a usage error; anything else that escaped a command is a failure.
    process.exitCode = process.exitCode || (err instanceof ConfigError ? EXIT.usage : EXIT.failed);
  }
}
