/**
 * The sweeper timer: every five minutes, re-wakes active jobs that are unleased and overdue (src/core/sweeper.ts).
 * A crash between "row written" and "continuation sent" therefore costs at most one period plus the grace.
 * Never `runOnStartup`: in Azure it fires on every restart and scale-out (PLATFORM.md).
 */
import { app, type InvocationContext, type Timer } from "@azure/functions";
import { type SweepReport, sweep } from "../core/sweeper.js";
import { sweeperDeps } from "./pipelineWiring.js";

/** NCRONTAB with seconds: at second 0 of every fifth minute. */
export const SWEEP_SCHEDULE = "0 */5 * * * *";

export async function sweeperHandler(_timer: Timer, context: InvocationContext): Promise<SweepReport> {
  return sweep(await sweeperDeps(context));
}

app.timer("uploadSweeper", { schedule: SWEEP_SCHEDULE, runOnStartup: false, handler: sweeperHandler });
