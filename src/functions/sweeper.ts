/**
 * The sweeper timer: every five minutes, re-wakes active jobs that are unleased and overdue (src/core/pipeline/sweeper.ts).
 * A crash between "row written" and "continuation sent" therefore costs at most one period plus the grace.
 * Never `runOnStartup`: in Azure it fires on every restart and scale-out (docs/platform.md).
 *
 * It also measures the age of the oldest job that is not finished (the "stuck jobs" alert in infra/ reads it):
 * one more bounded query every five minutes, from one instance, rather than a gauge on every instance.
 */
import { app, type InvocationContext, type Timer } from "@azure/functions";
import { type SweepReport, sweep } from "../core/pipeline/sweeper.js";
import type { JobStore } from "../core/ports/stores.js";
import { recordOldestActiveJobAge } from "../telemetry/metrics.js";
import { sweeperDeps } from "./pipelineWiring.js";

/** NCRONTAB with seconds: at second 0 of every fifth minute. */
export const SWEEP_SCHEDULE = "0 */5 * * * *";

export async function sweeperHandler(_timer: Timer, context: InvocationContext): Promise<SweepReport> {
  const deps = await sweeperDeps(context);
  const report = await sweep(deps);
  recordOldestActiveJobAge(await oldestActiveJobAgeSeconds(deps.store, deps.clock.now(), deps.batch));
  return report;
}

/**
 * `listOverdue` with a horizon in the far future lists every job that is not terminal, leased or not (bounded
 * by the sweep batch: with more active jobs than that, the age is of the oldest among those listed).
 */
export async function oldestActiveJobAgeSeconds(
  store: JobStore,
  now: number,
  limit: number,
): Promise<number> {
  const active = await store.listOverdue(Number.MAX_SAFE_INTEGER, limit);
  const oldest = Math.min(now, ...active.map((row) => row.job.createdAt));
  return Math.max(0, Math.round((now - oldest) / 1000));
}

app.timer("uploadSweeper", { schedule: SWEEP_SCHEDULE, runOnStartup: false, handler: sweeperHandler });
