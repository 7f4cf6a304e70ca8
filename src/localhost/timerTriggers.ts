/**
 * Runs timer-triggered functions on their NCRONTAB schedules (six fields, seconds first; Microsoft docs "Timer
 * trigger for Azure Functions"), in UTC unless WEBSITE_TIME_ZONE is set, like the host. The trigger input is the
 * host's timer info (schedule status, isPastDue), shaped by the library as inside Azure. `runOnStartup` is
 * honoured because the host honours it (docs/platform.md: never enable it in deployed configuration).
 */
import { CronExpressionParser } from "cron-parser";
import { redactSecrets } from "../core/shared/redact.js";
import { resolveSettings } from "./appSettings.js";
import type { ProgrammingModel } from "./coreTypes.js";
import { type HostLog, invoke, triggerBinding } from "./invoke.js";
import type { OutputWriter } from "./outputBindings.js";
import type { Registration } from "./virtualCore.js";

export interface TimerSchedule {
  readonly functionName: string;
  readonly schedule: string;
  next(): Date;
  /**
   * Runs the function once now, outside its schedule, after any run in progress (the host's
   * `POST /admin/functions/{name}`); resolves when that run ended. The schedule is unchanged.
   */
  runNow(): Promise<void>;
  stop(): Promise<void>;
}

/** The next occurrence of an NCRONTAB (6-field) expression strictly after `from`. */
export function nextOccurrence(schedule: string, from: Date, timeZone = "UTC"): Date {
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== 6)
    throw new Error(
      `timer schedule "${schedule}" must have six NCRONTAB fields (second minute hour day month weekday)`,
    );
  return CronExpressionParser.parse(schedule, { currentDate: from, tz: timeZone }).next().toDate();
}

export function scheduleTimer(
  registration: Registration,
  options: {
    readonly model: ProgrammingModel;
    readonly env: Readonly<Record<string, string | undefined>>;
    readonly log: HostLog;
    readonly writeOutputs: OutputWriter;
  },
): TimerSchedule {
  const [, trigger] = triggerBinding(registration);
  const schedule = resolveSettings(String(trigger.schedule), options.env);
  const timeZone = options.env.WEBSITE_TIME_ZONE || "UTC";
  const name = registration.metadata.name;
  let last: Date | undefined;
  let nextAt = nextOccurrence(schedule, new Date(), timeZone);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;

  const fire = async (isPastDue: boolean) => {
    const now = new Date();
    const following = nextOccurrence(schedule, now, timeZone);
    const info = {
      Schedule: { AdjustForDST: true },
      ScheduleStatus: {
        Last: (last ?? new Date(0)).toISOString(),
        Next: following.toISOString(),
        LastUpdated: now.toISOString(),
      },
      IsPastDue: isPastDue,
    };
    last = now;
    try {
      const output = await invoke(
        options.model,
        registration,
        { triggerData: { json: JSON.stringify(info) }, triggerMetadata: {} },
        options.log,
      );
      await options.writeOutputs(registration, output);
    } catch (err: unknown) {
      options.log(
        "error",
        `${name} failed: ${redactSecrets(err instanceof Error ? err.message : String(err))}`,
      );
    }
  };

  const arm = () => {
    if (stopped) return;
    nextAt = nextOccurrence(schedule, new Date(), timeZone);
    // setTimeout cannot wait more than ~24.8 days; re-arm in steps for rare schedules.
    const wait = Math.min(Math.max(0, nextAt.getTime() - Date.now()), 2 ** 31 - 1);
    timer = setTimeout(() => {
      if (Date.now() + 5 < nextAt.getTime()) return arm();
      running = fire(Date.now() - nextAt.getTime() > 60_000).finally(arm);
    }, wait);
  };

  if (trigger.runOnStartup === true) running = fire(false).finally(arm);
  else arm();

  return {
    functionName: name,
    schedule,
    next: () => nextAt,
    runNow: () => {
      const run = running.then(() => fire(false));
      running = run;
      return run;
    },
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
