/**
 * The uploaders the WAN bench compares, each as a child process measured the same way (wall time and peak RSS,
 * ../upload/harness.ts runMeasured): graph-mirror's CLI with its default settings (in scenarios that are not
 * `defaults`, the files at a time given as --parallel and --parallel-small), rclone with 10 MiB chunks through the
 * emulator's CONNECT proxy, the raw fetch-PUT loop, and, for small files only, the Node floor (./floorChild.ts).
 * graph-mirror and the raw loop reach the emulator's HTTPS listeners directly; rclone only speaks to
 * graph.microsoft.com, so it goes through the proxy, whose byte copying runs in the emulator's process.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_PARALLEL_SMALL } from "../../src/cli/parallelOptions.js";
import { DEFAULT_SIMPLE_UPLOAD_MAX } from "../../src/core/upload/chunkPlan.js";
import { DEFAULT_TOKEN } from "../../src/emulator/index.js";
import { type EmulatorProcess, type MeasuredRun, ROOT, runMeasured } from "../upload/harness.js";
import type { FolderUpload } from "../upload/rawLoop.js";
import type { FloorJob } from "./floorChild.js";
import type { RawJob } from "./rawChild.js";
import { RCLONE_REMOTE, rcloneEnvFor } from "./rclone.js";
import { CHUNK_BYTES, type Scenario } from "./scenarios.js";

export const TOOLS = ["graph-mirror", "rclone", "raw", "node-floor"] as const;
export type ToolName = (typeof TOOLS)[number];

/**
 * The tools that run `scenario`: all but the Node floor where a file needs an upload session (over Graph's
 * simple-upload limit, docs/graph-protocol.md).
 */
export function toolsFor(scenario: Scenario, withRclone: boolean): ToolName[] {
  return TOOLS.filter(
    (t) =>
      (withRclone || t !== "rclone") &&
      (t !== "node-floor" || scenario.fileBytes <= DEFAULT_SIMPLE_UPLOAD_MAX),
  );
}

/**
 * Files at a time graph-mirror uploads small files with in `scenario`: its default in a `defaults` scenario,
 * else N. The Node floor runs at the same number, so the two processes hold the same number of connections
 * and bodies at once.
 */
export function smallFilesAtATime(scenario: Scenario): number {
  return scenario.defaults ? DEFAULT_PARALLEL_SMALL : scenario.concurrency;
}

/** The files of one scenario on local disk: one file, or a folder of them. */
export interface Payload {
  readonly scenario: Scenario;
  /** The file (one-file scenarios) or the folder (the others). */
  readonly source: string;
  readonly files: readonly { readonly file: string; readonly name: string }[];
  /** Each file's QuickXorHash by name: what the drive must hold after every tool's run. */
  readonly hashes: ReadonlyMap<string, string>;
}

export interface ToolContext {
  readonly emu: EmulatorProcess;
  /** Scratch folder: state files, rclone's empty config, HOME of the children. */
  readonly work: string;
}

/** Uploads `payload` into the new drive folder `/folder` with `tool`; throws when the tool fails. */
export async function runTool(
  tool: ToolName,
  payload: Payload,
  folder: string,
  ctx: ToolContext,
): Promise<MeasuredRun> {
  const run =
    tool === "graph-mirror"
      ? await graphMirror(payload, folder, ctx)
      : tool === "rclone"
        ? await rclone(payload, folder, ctx)
        : tool === "raw"
          ? await raw(payload, folder, ctx)
          : await nodeFloor(payload, folder, ctx);
  if (run.code !== 0) throw new Error(`${tool} failed (exit ${run.code}): ${run.stderr.slice(-800)}`);
  return run;
}

const single = (payload: Payload) => payload.scenario.files === 1;

/** None in a `defaults` scenario (issue 17's "default settings" targets); else N for both size classes. */
export function concurrencyFlags(scenario: Scenario): string[] {
  if (scenario.defaults) return [];
  const n = String(scenario.concurrency);
  return ["--parallel", n, "--parallel-small", n];
}

function graphMirror(payload: Payload, folder: string, { emu, work }: ToolContext): Promise<MeasuredRun> {
  const { scenario } = payload;
  const target = single(payload) ? `/${folder}/${payload.files[0]?.name}` : `/${folder}/`;
  return runMeasured(
    process.execPath,
    [
      path.join(ROOT, "bin", "graph-mirror.js"),
      "upload",
      payload.source,
      ...(single(payload) ? [] : ["--recursive", ...concurrencyFlags(scenario)]),
      "--to",
      `drive:${emu.driveId}:${target}`,
      "--json",
      "--state",
      path.join(work, `state-${folder}.json`),
    ],
    {
      PATH: process.env.PATH,
      HOME: work,
      GRAPH_BASE_URL: emu.graphBaseUrl,
      GRAPH_ACCESS_TOKEN: DEFAULT_TOKEN,
      NODE_EXTRA_CA_CERTS: emu.caPath,
    },
  );
}

async function rclone(payload: Payload, folder: string, { emu, work }: ToolContext): Promise<MeasuredRun> {
  await writeFile(path.join(work, "rclone.conf"), "");
  const args = single(payload)
    ? ["copyto", payload.source, `${RCLONE_REMOTE}:${folder}/${payload.files[0]?.name}`]
    : ["copy", payload.source, `${RCLONE_REMOTE}:${folder}`];
  const chunk = `${CHUNK_BYTES / (1024 * 1024)}M`;
  return runMeasured(
    "rclone",
    [...args, "--onedrive-chunk-size", chunk, "--transfers", String(payload.scenario.concurrency)],
    rcloneEnvFor(emu, emu.driveId, work),
  );
}

function raw(payload: Payload, folder: string, ctx: ToolContext): Promise<MeasuredRun> {
  const job: RawJob = {
    ...uploadTarget(payload, folder, ctx),
    chunkBytes: CHUNK_BYTES,
    concurrency: payload.scenario.concurrency,
  };
  return runNodeChild("./rawChild.js", job, ctx);
}

function nodeFloor(payload: Payload, folder: string, ctx: ToolContext): Promise<MeasuredRun> {
  const job: FloorJob = {
    ...uploadTarget(payload, folder, ctx),
    concurrency: smallFilesAtATime(payload.scenario),
    token: DEFAULT_TOKEN,
  };
  return runNodeChild("./floorChild.js", job, ctx);
}

/** Where the raw loop and the Node floor upload the payload: the emulator's drive, one path per file. */
function uploadTarget(payload: Payload, folder: string, { emu }: ToolContext): FolderUpload {
  return {
    graphBaseUrl: emu.graphBaseUrl,
    driveId: emu.driveId,
    folder,
    files: payload.files.map((f) => ({
      file: f.file,
      size: payload.scenario.fileBytes,
      destination: `/${folder}/${f.name}`,
    })),
  };
}

/** One of this folder's child scripts with its job as JSON, trusting the emulator's CA as the others do. */
function runNodeChild(script: string, job: object, { emu }: ToolContext): Promise<MeasuredRun> {
  return runMeasured(
    process.execPath,
    [fileURLToPath(new URL(script, import.meta.url)), JSON.stringify(job)],
    { PATH: process.env.PATH, NODE_EXTRA_CA_CERTS: emu.caPath },
  );
}
