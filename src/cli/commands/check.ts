/**
 * `graph-mirror check <local folder> <destination> [--json]` and `graph-mirror check --mirror NAME [--json]`
 * (issue 14): compares sizes and QuickXorHashes (hashed here with the project's own implementation) of every file
 * on both sides and prints what matches, differs, or is missing on either side, as `rclone check` does. With
 * --mirror, every destination of that mirror definition is checked against its source (file, sftp, blob or url),
 * with the mirror's include and exclude globs applied to both sides. Reads only: any token that can read will do.
 * Exit codes: 0 everything matched; 1 something differs, is missing or could not be read; 2 bad argument,
 * setting or token.
 */
import path from "node:path";
import type { Command } from "commander";
import { createServices } from "../../app/services.js";
import { loadConfig } from "../../config/index.js";
import type { Destination } from "../../core/job/job.js";
import { GraphFailure } from "../../core/ports/graphFailure.js";
import type { SourceLister } from "../../core/ports/mirror.js";
import type { SourceOpener } from "../../core/ports/sources.js";
import { ConfigError } from "../../core/shared/validationError.js";
import type { GraphHttp } from "../../graph/http.js";
import { globFilter } from "../../mirror/globFilter.js";
import { listerFactory } from "../../mirror/listers.js";
import { localWiring } from "../../mirror/localWiring.js";
import { describeSource } from "../../mirror/overview.js";
import { loadMirrorDefinitions } from "../../mirror/settings.js";
import { FileLister } from "../../mirror/sources/fileLister.js";
import { type CheckRun, checkJson, checkLines, differencesOf } from "../../read/checkReport.js";
import { compareFiles, type SourceFile, summarise } from "../../read/compare.js";
import { readOnlyGraph } from "../../read/readWiring.js";
import { listRemote } from "../../read/remoteListing.js";
import { describeDestination, parseRemoteDestination, resolveRemoteFolder } from "../../read/remoteTarget.js";
import { quickXorHashOfSource } from "../../read/sourceHash.js";
import { createSourceOpener } from "../../sources/opener.js";
import type { ReadCommandIo } from "./ls.js";

export interface CheckOptions {
  readonly json?: boolean;
  readonly mirror?: string;
}

export function register(program: Command): void {
  program
    .command("check")
    .argument("[local-folder]", "the local folder to compare")
    .argument(
      "[destination]",
      "drive:<driveId>:<path>, onedrive:<user>:<path> or sharepoint:<site URL>:<library>:<path>",
    )
    .description(
      "compare sizes and QuickXorHashes of a local folder (or a mirror's source) with a destination",
    )
    .option("--mirror <name>", "check every destination of this mirror definition against its source")
    .option("--json", "print one JSON object for machines")
    .addHelpText(
      "after",
      "\nMarks: = match, * differ, - missing at the destination, + missing in the source, ! error.\n" +
        "Exit codes: 0 everything matched; 1 something differs, is missing or unreadable; 2 bad argument, setting or token.",
    )
    .action(async (folder: string | undefined, destination: string | undefined, options: CheckOptions) => {
      process.exitCode = await checkCommand(folder, destination, options, {
        env: process.env,
        stdout: process.stdout,
        stderr: process.stderr,
      });
    });
}

export async function checkCommand(
  folder: string | undefined,
  destinationText: string | undefined,
  options: CheckOptions,
  io: ReadCommandIo,
): Promise<number> {
  const runs = options.mirror
    ? await checkMirror(options.mirror, folder, io)
    : [await checkFolder(folder, destinationText, io)];
  if (options.json) io.stdout.write(`${JSON.stringify(checkJson(runs))}\n`);
  else for (const run of runs) for (const line of checkLines(run)) io.stdout.write(`${line}\n`);
  return differencesOf(runs) === 0 ? 0 : 1;
}

async function checkFolder(
  folder: string | undefined,
  destinationText: string | undefined,
  io: ReadCommandIo,
) {
  if (!folder || !destinationText)
    throw new ConfigError(
      [{ field: "<local-folder> <destination>", rule: "both are required (or --mirror NAME instead)" }],
      "arguments",
    );
  const destination = parseRemoteDestination(destinationText, "<destination>");
  const root = path.resolve(folder);
  const services = createServices(loadConfig(io.env));
  const http = await readOnlyGraph(services);
  const opener = createSourceOpener({ requestTimeoutMs: services.config.graph.requestTimeoutMs });
  return checkOne(root, new FileLister(root, [root]), opener, http, destination, () => true, io.signal);
}

async function checkMirror(name: string, stray: string | undefined, io: ReadCommandIo): Promise<CheckRun[]> {
  if (stray !== undefined)
    throw new ConfigError(
      [{ field: "--mirror", rule: "takes no folder or destination arguments" }],
      "arguments",
    );
  const services = createServices(loadConfig(io.env));
  const settings = services.config.mirror;
  const definitions = await loadMirrorDefinitions(settings);
  const invalid = definitions.invalid.find((m) => m.mirror === name);
  if (invalid) throw invalid.error;
  const mirror = definitions.valid.find((m) => m.name === name);
  if (!mirror)
    throw new ConfigError([{ field: "--mirror", rule: `no mirror named "${name}" is defined` }], "option");
  const http = await readOnlyGraph(services);
  const wiring = localWiring(services, settings.allowedFileRoots);
  const accept = globFilter(mirror.include, mirror.exclude);
  const runs: CheckRun[] = [];
  for (const destination of mirror.destinations) {
    const lister = listerFactory(wiring.sources)(mirror);
    runs.push(
      await checkOne(
        describeSource(mirror),
        lister,
        wiring.engine.sources,
        http,
        destination,
        accept,
        io.signal,
      ),
    );
  }
  return runs;
}

async function checkOne(
  sourceLabel: string,
  lister: SourceLister,
  opener: SourceOpener,
  http: GraphHttp,
  destination: Destination,
  accept: (relativePath: string) => boolean,
  signal?: AbortSignal,
): Promise<CheckRun> {
  const errors: string[] = [];
  const listing = await lister.list(signal ?? new AbortController().signal);
  errors.push(...listing.errors);
  const sourceFiles: SourceFile[] = listing.entries.map((entry) => ({
    path: entry.path,
    size: entry.fingerprint.size,
    quickXorHash: () => quickXorHashOfSource(opener.open(entry.ref), signal),
  }));
  const folder = await resolveRemoteFolder(http, destination, signal);
  const remote = await listRemote(http, folder.driveId, folder.path, {
    recursive: true,
    ...(signal ? { signal } : {}),
  }).catch((err: unknown) => {
    // A destination folder that does not exist yet holds nothing: every source file is missing there.
    if (err instanceof GraphFailure && err.status === 404) return [];
    throw err;
  });
  const files = await compareFiles(
    sourceFiles,
    remote.filter((entry) => entry.isFolder || accept(entry.path)),
    signal,
  );
  return {
    source: sourceLabel,
    destination: describeDestination(destination),
    summary: summarise(files),
    files,
    errors,
  };
}
