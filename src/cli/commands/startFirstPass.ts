/**
 * `graph-mirror start`, step 5 (start.ts): with mirrors defined, one mirror pass now, locally only. The
 * registered mirror timer is run once through the host's admin API (`POST /admin/functions/mirrorTimer`), never
 * through `runOnStartup`, which would fire in Azure on every restart and scale-out (docs/platform.md). Its
 * uploads are followed with progress bars, then each file's destination, link and verification are printed.
 */
import type { Services } from "../../app/services.js";
import type { PipelineConfig } from "../../config/pipeline.js";
import { followFirstPass, formatFirstPass } from "../../localhost/firstPass.js";
import type { MirrorDefinitions } from "../../mirror/definitions.js";
import type { StartRun } from "./startRun.js";

export interface FirstPassOptions {
  /** The functions' HTTP port on 127.0.0.1. */
  readonly port: number;
  /** The definitions the functions run; undefined when none are set. */
  readonly definitions: MirrorDefinitions | undefined;
  /** The emulator's control API item list, when start runs the emulator. */
  readonly emulatorItems: string | undefined;
}

export async function runFirstPass(
  run: StartRun,
  services: Services,
  options: FirstPassOptions,
): Promise<void> {
  const { definitions, port } = options;
  const mirrors = definitions?.valid.map((m) => m.name) ?? [];
  for (const invalid of definitions?.invalid ?? [])
    run.say(`  ! mirror ${invalid.mirror} is invalid: ${invalid.error.message}`);
  if (mirrors.length === 0) return;
  run.say("");
  run.say(`Mirror pass at start (${mirrors.join(", ")}):`);
  // The root's stores, on the storage the functions already run on (the tables exist once this resolves).
  const stores = await services.mirrorStores();
  const { jobs } = await services.storage();
  const since = Date.now() - 1_000;
  const admin = await fetch(`http://127.0.0.1:${port}/admin/functions/mirrorTimer`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
    signal: AbortSignal.timeout(30_000),
  });
  if (admin.status !== 202) throw new Error(`the host refused to run mirrorTimer (HTTP ${admin.status})`);
  const pass = await followFirstPass({
    history: stores.history,
    manifest: stores.manifest,
    jobs,
    mirrors,
    since,
    out: process.stdout,
    signal: run.life.interrupted.signal,
  });
  const look = [
    ...(options.emulatorItems
      ? [`curl -s ${options.emulatorItems}      (the emulator's control API: every stored item)`]
      : []),
    `${run.env.AzureWebJobsStorage === "UseDevelopmentStorage=true" ? "AzureWebJobsStorage=UseDevelopmentStorage=true " : ""}npx graph-mirror status --azure      (runs and jobs, from the tables)`,
  ];
  for (const line of formatFirstPass(pass, look)) run.say(line);
}

/**
 * Local only: one sweep, through the host's admin API, as soon as a job left behind by a killed run can count as
 * overdue (its lease and the sweeper's grace passed). A run killed between writing a job's row and sending its
 * continuation leaves a job only the sweeper finds, and its timer fires every 5 minutes on the clock; after a
 * restart that could be the longest wait of all (issue 16). Never `runOnStartup`, which would fire in Azure on
 * every restart and scale-out (docs/platform.md).
 */
export function sweepAfterRestart(port: number, pipeline: PipelineConfig): NodeJS.Timeout {
  const timer = setTimeout(
    () => {
      void fetch(`http://127.0.0.1:${port}/admin/functions/uploadSweeper`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
        signal: AbortSignal.timeout(30_000),
      }).catch(() => undefined);
    },
    pipeline.leaseMs + pipeline.sweepGraceMs + 1_000,
  );
  timer.unref();
  return timer;
}
