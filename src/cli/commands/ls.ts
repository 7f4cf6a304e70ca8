/**
 * `graph-mirror ls <destination> [--recursive] [--json]` (issue 14): a remote folder with sizes, modified times
 * and QuickXorHashes, every page of it, as `rclone lsl` / `rclone lsjson` show one. Works with any token that
 * can read, the read-only rclone.conf fallback included; nothing is written.
 * Exit codes: 0 listed; 1 nothing at that path; 2 bad argument, setting or token.
 */
import type { Command } from "commander";
import { createServices } from "../../app/services.js";
import type { Env } from "../../config/auth.js";
import { loadConfig } from "../../config/index.js";
import { GraphFailure } from "../../core/ports/graphFailure.js";
import { lsJson, lsLines } from "../../read/lsFormat.js";
import { readOnlyGraph } from "../../read/readWiring.js";
import { listRemote } from "../../read/remoteListing.js";
import { describeDestination, parseRemoteDestination, resolveRemoteFolder } from "../../read/remoteTarget.js";

export interface LsOptions {
  readonly recursive?: boolean;
  readonly json?: boolean;
}

export interface ReadCommandIo {
  readonly env: Env;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly signal?: AbortSignal;
}

export function register(program: Command): void {
  program
    .command("ls")
    .argument(
      "<destination>",
      "drive:<driveId>:<path>, onedrive:<user>:<path> or sharepoint:<site URL>:<library>:<path>",
    )
    .description("list a remote folder: sizes, modified times, QuickXorHashes (like rclone lsl / lsjson)")
    .option("-R, --recursive", "list every folder below it too")
    .option("--json", "print a JSON array shaped like rclone lsjson")
    .addHelpText("after", "\nExit codes: 0 listed; 1 nothing at that path; 2 bad argument, setting or token.")
    .action(async (destination: string, options: LsOptions) => {
      process.exitCode = await lsCommand(destination, options, {
        env: process.env,
        stdout: process.stdout,
        stderr: process.stderr,
      });
    });
}

export async function lsCommand(
  destinationText: string,
  options: LsOptions,
  io: ReadCommandIo,
): Promise<number> {
  const destination = parseRemoteDestination(destinationText, "<destination>");
  const http = await readOnlyGraph(createServices(loadConfig(io.env)));
  let entries: Awaited<ReturnType<typeof listRemote>>;
  try {
    const folder = await resolveRemoteFolder(http, destination, io.signal);
    entries = await listRemote(http, folder.driveId, folder.path, {
      recursive: options.recursive === true,
      ...(io.signal ? { signal: io.signal } : {}),
    });
  } catch (err: unknown) {
    if (err instanceof GraphFailure && err.status === 404) {
      io.stderr.write(`graph-mirror: nothing at ${describeDestination(destination)} (${err.message})\n`);
      return 1;
    }
    throw err;
  }
  if (options.json) io.stdout.write(`${JSON.stringify(lsJson(entries), null, 1)}\n`);
  else for (const line of lsLines(entries)) io.stdout.write(`${line}\n`);
  return 0;
}
