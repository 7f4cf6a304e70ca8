/**
 * The hourly mirror pass (issue 6): a timer on MIRROR_SCHEDULE (default "0 0 * * * *", minute 0 of every hour).
 * Never `runOnStartup`: in Azure it fires on every restart and scale-out (PLATFORM.md); locally, `graph-mirror
 * start` runs it once at start through the host's admin API (`POST /admin/functions/mirrorTimer`).
 */
import { app, type InvocationContext, type Timer } from "@azure/functions";
import { type PassReport, runMirrorPass } from "../mirror/runner.js";
import { parseMirrorSchedule } from "../mirror/settings.js";
import { mirrorContextLog, mirrorWiring } from "./mirrorWiring.js";
import { type Runtime, runtime } from "./runtime.js";

export async function runScheduledMirrorPass(
  context: InvocationContext,
  rt: Runtime = runtime(),
): Promise<PassReport> {
  const wiring = await mirrorWiring(rt);
  const log = mirrorContextLog(context);
  const definitions = await wiring.definitions();
  return runMirrorPass(definitions, await wiring.passDeps(log));
}

export async function mirrorTimerHandler(_timer: Timer, context: InvocationContext): Promise<void> {
  await runScheduledMirrorPass(context);
}

// Read at registration: the host needs the schedule before any invocation. A bad value stops the app loudly,
// naming MIRROR_SCHEDULE and the rule; the other mirror settings are checked at each pass.
app.timer("mirrorTimer", {
  schedule: parseMirrorSchedule(process.env),
  runOnStartup: false,
  handler: mirrorTimerHandler,
});
