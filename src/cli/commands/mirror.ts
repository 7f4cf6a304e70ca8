/**
 * `graph-mirror mirror [--once] [--dry-run]` (issue 6): runs the mirror definitions (MIRRORS_FILE or MIRRORS)
 * from the command line, for people who do not deploy the function app. Uploads run in-process with progress
 * bars (or JSON lines), through the same engine the queue function runs. Without --once it keeps running and
 * starts a pass on MIRROR_SCHEDULE. State (manifest, history, resumable jobs) lives in --state-dir, else in a
 * folder of the definitions' own (src/cli/mirrorStateDir.ts).
 */

import { randomUUID } from "node:crypto";
import type { Command } from "commander";
import { CronExpressionParser } from "cron-parser";
import { jsonLines } from "../../app/jsonLog.js";
import { createServices } from "../../app/services.js";
import { assertWriteAllowed } from "../../auth/gate.js";
import type { Env } from "../../config/auth.js";
import { loadConfig } from "../../config/index.js";
import { systemClock } from "../../core/ports/common.js";
import { delay } from "../../core/shared/delay.js";
import { ConfigError, type FieldProblem } from "../../core/shared/validationError.js";
import type { MirrorDefinitions } from "../../mirror/definitions.js";
import { localWiring } from "../../mirror/localWiring.js";
import type { MirrorLogEvent, MirrorLogger } from "../../mirror/mirrorLog.js";
import { formatPass, passExitCode } from "../../mirror/passSummary.js";
import { loadMirrorDefinitions, type MirrorSettings } from "../../mirror/settings.js";
import { EXIT } from "../exitCodes.js";
import { runLocalMirror } from "../localRun.js";
import { claimLegacyState, derivedStateDir, explicitStateDir } from "../mirrorStateDir.js";
import { addParallelOptions, parseParallel } from "../parallelOptions.js";
import { chooseReporter } from "../progress/choose.js";

export interface MirrorCommandOptions {
  readonly once?: boolean;
  readonly dryRun?: boolean;
  readonly json?: boolean;
  readonly stateDir?: string;
  readonly parallel: string;
  readonly parallelSmall?: string;
  readonly mirror?: string[];
  /** Global -v / -q. */
  readonly verbose?: boolean;
  readonly quiet?: boolean;
}

export interface MirrorCommandIo {
  readonly env: Env;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly signal: AbortSignal;
  /** Definitions to run instead of MIRRORS_FILE / MIRRORS (the bundled sample). */
  readonly definitions?: MirrorDefinitions;
  /** Extra roots a file source may read (the bundled sample's folder). */
  readonly extraFileRoots?: readonly string[];
}

export function register(program: Command): void {
  const command = program
    .command("mirror")
    .description("run the mirror definitions (MIRRORS_FILE or MIRRORS) from the command line")
    .option("--once", "run one pass and exit (default: keep running on MIRROR_SCHEDULE)")
    .option("--dry-run", "print what would be uploaded, deleted or skipped and why; change nothing")
    .option("--json", "print one JSON object per event instead of progress bars")
    .option(
      "--state-dir <dir>",
      "manifest, history and resumable jobs (default: MIRROR_STATE_DIR, else one folder per definitions set under ~/.local/state/graph-mirror/mirrors)",
    );
  addParallelOptions(command)
    .option("--mirror <name...>", "run only these mirrors")
    .addHelpText("after", "\nA mirror pass with no definitions exits 2 with the reason.")
    .action(async (commandOptions: MirrorCommandOptions, command: Command) => {
      const globals = command.optsWithGlobals<{ verbose?: boolean; quiet?: boolean }>();
      const options = { ...commandOptions, verbose: globals.verbose === true, quiet: globals.quiet === true };
      const controller = new AbortController();
      const interrupt = () => controller.abort(new Error("interrupted"));
      process.once("SIGINT", interrupt);
      process.once("SIGTERM", interrupt);
      try {
        process.exitCode = await mirrorCommand(options, {
          env: process.env,
          stdout: process.stdout,
          stderr: process.stderr,
          signal: controller.signal,
        });
      } finally {
        process.off("SIGINT", interrupt);
        process.off("SIGTERM", interrupt);
      }
    });
}

export async function mirrorCommand(options: MirrorCommandOptions, io: MirrorCommandIo): Promise<number> {
  const problems: FieldProblem[] = [];
  const { parallel, parallelSmall } = parseParallel(options, problems);
  if (problems.length > 0) throw new ConfigError(problems, "option");
  const services = createServices(loadConfig(io.env));
  const settings = services.config.mirror;
  const json = options.json === true || !io.stdout.isTTY;
  const log: MirrorLogger = json
    ? jsonLines<MirrorLogEvent>((line) => io.stdout.write(`${line}\n`))
    : () => {};
  const explicit = explicitStateDir(options.stateDir, io.env);
  // A token known to be unable to write is refused before any Graph call, with guidance (issue 5).
  if (options.dryRun !== true) await assertWriteAllowed(services.tokens());
  const wiring = localWiring(services, [...settings.allowedFileRoots, ...(io.extraFileRoots ?? [])]);
  const pass: Pass = { options, io, settings, wiring, explicit, json, log, parallel, parallelSmall };
  const passOnce = () => runPass(pass);

  if (options.once || options.dryRun) return runGuarded(passOnce, io);
  let status = 0;
  while (!io.signal.aborted) {
    status = await runGuarded(passOnce, io);
    const next = nextRun(settings, systemClock.now());
    if (!json) io.stdout.write(`next pass at ${new Date(next).toISOString()} (MIRROR_SCHEDULE)\n`);
    try {
      await delay(next - systemClock.now(), io.signal);
    } catch {
      break;
    }
  }
  return status;
}

/** What every pass of one command shares. */
interface Pass {
  readonly options: MirrorCommandOptions;
  readonly io: MirrorCommandIo;
  readonly settings: MirrorSettings;
  readonly wiring: ReturnType<typeof localWiring>;
  /** --state-dir or MIRROR_STATE_DIR; else each definitions set has its own folder. */
  readonly explicit: string | undefined;
  /** JSON lines on stdout instead of progress bars. */
  readonly json: boolean;
  readonly log: MirrorLogger;
  readonly parallel: number;
  readonly parallelSmall: number;
}

/** One pass over the definitions (read again each pass, so an edited MIRRORS_FILE is picked up). Exit status. */
async function runPass({
  options,
  io,
  settings,
  wiring,
  explicit,
  json,
  log,
  parallel,
  parallelSmall,
}: Pass): Promise<number> {
  const definitions = io.definitions ?? (await loadMirrorDefinitions(settings));
  // Nothing to run is a configuration error, not a success (issue 15 item 9).
  if (definitions.valid.length === 0 && definitions.invalid.length === 0) {
    io.stderr.write(
      "graph-mirror: no mirrors defined: set MIRRORS_FILE (a JSON file) or MIRRORS (JSON text); see docs/mirroring.md\n",
    );
    return EXIT.usage;
  }
  // A misspelt --mirror would otherwise run nothing, record an empty pass and exit 0 (docs/design.md invariant 6).
  const unknown = unknownMirrors(definitions, options.mirror ?? []);
  if (unknown.length > 0) {
    throw new ConfigError(
      [
        {
          field: "--mirror",
          rule: `no mirror named ${unknown.map((n) => `"${n}"`).join(", ")} is defined`,
        },
      ],
      "option",
    );
  }
  const stateDir = explicit ?? (await definitionsStateDir(io, settings, definitions));
  const reporter = await chooseReporter({ ...options, json }, io.stdout);
  let result: Awaited<ReturnType<typeof runLocalMirror>>;
  try {
    result = await runLocalMirror({
      definitions,
      ...wiring,
      stateDir,
      resolveTtlMs: settings.resolveTtlMs,
      dryRun: options.dryRun === true,
      parallel,
      parallelSmall,
      ...(options.mirror ? { only: options.mirror } : {}),
      reporter,
      log,
      clock: systemClock,
      newId: () => randomUUID(),
      signal: io.signal,
    });
  } finally {
    reporter.close();
  }
  // The summary is for people: printed unless JSON was asked for explicitly. When stdout carries JSON lines
  // (not a terminal), it goes to stderr, so stdout stays one JSON object per line (issue 15 item 9).
  if (options.json !== true) {
    const out = json ? io.stderr : io.stdout;
    for (const line of formatPass(result.pass, result.jobs, options.dryRun === true)) out.write(`${line}\n`);
  }
  // 0 all done, 1 something failed, 3 done but files changed by someone else were left alone (PASS_EXIT).
  return passExitCode(result.pass, result.jobs);
}

async function runGuarded(pass: () => Promise<number>, io: MirrorCommandIo): Promise<number> {
  try {
    return await pass();
  } catch (err: unknown) {
    if (io.signal.aborted) {
      io.stderr.write("graph-mirror: interrupted; run again to resume the unfinished uploads\n");
      return 130;
    }
    throw err;
  }
}

function nextRun(settings: MirrorSettings, now: number): number {
  return CronExpressionParser.parse(settings.schedule, { currentDate: new Date(now) })
    .next()
    .getTime();
}

function unknownMirrors(definitions: MirrorDefinitions, wanted: readonly string[]): string[] {
  const known = new Set([
    ...definitions.valid.map((m) => m.name),
    ...definitions.invalid.map((m) => m.mirror),
  ]);
  return wanted.filter((name) => !known.has(name));
}

/** The definitions' own state folder, taking over the shared folder of earlier versions once (mirrorStateDir.ts). */
async function definitionsStateDir(
  io: MirrorCommandIo,
  settings: MirrorSettings,
  definitions: MirrorDefinitions,
): Promise<string> {
  const dir = derivedStateDir(io.env, settings, definitions);
  const notice = await claimLegacyState(dir, io.env);
  if (notice) io.stderr.write(`graph-mirror: ${notice}\n`);
  return dir;
}
