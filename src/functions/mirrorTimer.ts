/**
 * The hourly mirror pass (issue 6): a timer on MIRROR_SCHEDULE (default "0 0 * * * *", minute 0 of every hour).
 * Never `runOnStartup`: in Azure it fires on every restart and scale-out (docs/platform.md); locally, `graph-mirror
 * start` runs it once at start through the host's admin API (`POST /admin/functions/mirrorTimer`).
 */
import { app, type InvocationContext, type Timer } from "@azure/functions";
import type { Services } from "../app/services.js";
import { type PassReport, runMirrorPass } from "../mirror/runner.js";
import { appServices } from "./appServices.js";
import { mirrorContextLog } from "./mirrorWiring.js";

export async function runScheduledMirrorPass(
  context: InvocationContext,
  services: Services = appServices(),
): Promise<PassReport> {
  const wiring = await services.mirror();
  const log = mirrorContextLog(context);
  const definitions = await wiring.definitions();
  const pass = await runMirrorPass(definitions, await wiring.passDeps(log));
  warnAboutConflicts(pass, context);
  return pass;
}

/**
 * A pass that left files alone for someone else's change is logged at warning level (Application Insights
 * severity 2), so an alert on warnings finds it: the mirror stops following those files until someone decides,
 * and the pass itself otherwise looks successful. Paths only, never URLs or tokens.
 */
export function warnAboutConflicts(pass: PassReport, context: InvocationContext): void {
  for (const run of pass.runs) {
    if (run.run.conflicts === 0) continue;
    const paths = run.destinations.flatMap((d) => [
      ...d.conflicts.map((c) => `${d.destination}: ${c.path}`),
      ...d.deletions
        .filter((x) => x.outcome === "conflict-skipped")
        .map((x) => `${d.destination}: ${x.path}`),
    ]);
    context.warn(
      JSON.stringify({
        event: "mirror-conflicts",
        mirror: run.mirror,
        runId: run.runId,
        result: run.run.result,
        conflicts: run.run.conflicts,
        // Bounded: a log line is not the place for thousands of paths (the history has one record each).
        paths: paths.slice(0, MAX_LOGGED_PATHS),
      }),
    );
  }
}

const MAX_LOGGED_PATHS = 20;

export async function mirrorTimerHandler(_timer: Timer, context: InvocationContext): Promise<void> {
  await runScheduledMirrorPass(context);
}

// Read at registration: the host needs the schedule before any invocation. A bad value stops the app loudly,
// naming MIRROR_SCHEDULE and the rule, with every other bad setting (src/functions/appServices.ts).
app.timer("mirrorTimer", {
  schedule: appServices().config.mirror.schedule,
  runOnStartup: false,
  handler: mirrorTimerHandler,
});
