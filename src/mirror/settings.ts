/**
 * The mirroring settings, read once from an environment object (never `process.env` directly) and validated:
 * `MIRRORS_FILE` or `MIRRORS`, `MIRROR_SCHEDULE`, `MIRROR_RESOLVE_TTL`, and `ALLOWED_FILE_ROOTS`.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import type { Env } from "../config/auth.js";
import { ConfigError, type FieldProblem } from "../core/shared/validationError.js";
import type { MirrorDefinitions } from "./definitions.js";

/**
 * Every command parses these settings (src/config/index.ts), but only a set MIRROR_SCHEDULE needs cron-parser
 * (and luxon) and only loading definitions needs their zod schema: both are loaded when used, which keeps them
 * out of a CLI upload's start-up (~10 MiB and ~100 ms before its first request, issue 17).
 */
const cronParser = () =>
  (createRequire(import.meta.url)("cron-parser") as typeof import("cron-parser")).CronExpressionParser;

/** Azure Functions NCRONTAB with seconds: at minute 0 of every hour. */
export const DEFAULT_MIRROR_SCHEDULE = "0 0 * * * *";
export const DEFAULT_RESOLVE_TTL_MS = 60 * 60 * 1000;

export interface MirrorSettings {
  readonly mirrorsFile?: string;
  readonly mirrorsJson?: string;
  readonly schedule: string;
  readonly resolveTtlMs: number;
  readonly allowedFileRoots: readonly string[];
}

export function parseMirrorSettings(env: Env): MirrorSettings {
  const problems: FieldProblem[] = [];
  const mirrorsFile = nonEmpty(env.MIRRORS_FILE);
  const mirrorsJson = nonEmpty(env.MIRRORS);
  if (mirrorsFile && mirrorsJson) {
    problems.push({ field: "MIRRORS", rule: "must not be set together with MIRRORS_FILE (use one of them)" });
  }
  const schedule = scheduleOf(env, problems);
  const ttlText = nonEmpty(env.MIRROR_RESOLVE_TTL);
  const resolveTtlMs = ttlText === undefined ? DEFAULT_RESOLVE_TTL_MS : Number(ttlText) * 1000;
  if (!Number.isSafeInteger(resolveTtlMs) || resolveTtlMs < 0) {
    problems.push({ field: "MIRROR_RESOLVE_TTL", rule: "must be a whole number of seconds (0 or more)" });
  }
  const allowedFileRoots = parseAllowedFileRoots(env.ALLOWED_FILE_ROOTS, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    ...(mirrorsFile ? { mirrorsFile } : {}),
    ...(mirrorsJson ? { mirrorsJson } : {}),
    schedule,
    resolveTtlMs,
    allowedFileRoots,
  };
}

/** Only `MIRROR_SCHEDULE` (the timer's registration needs it before anything else is read). */
export function parseMirrorSchedule(env: Env): string {
  const problems: FieldProblem[] = [];
  const schedule = scheduleOf(env, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return schedule;
}

function scheduleOf(env: Env, problems: FieldProblem[]): string {
  const schedule = nonEmpty(env.MIRROR_SCHEDULE) ?? DEFAULT_MIRROR_SCHEDULE;
  if (schedule.split(/\s+/).length !== 6) {
    problems.push({
      field: "MIRROR_SCHEDULE",
      rule: 'must be an NCRONTAB expression with six fields (seconds first), e.g. "0 0 * * * *"',
    });
    return schedule;
  }
  // The default is a known-good expression: no parser needed to accept it.
  if (schedule === DEFAULT_MIRROR_SCHEDULE) return schedule;
  try {
    cronParser().parse(schedule);
  } catch (err: unknown) {
    problems.push({
      field: "MIRROR_SCHEDULE",
      rule: `must be a valid NCRONTAB expression (${err instanceof Error ? err.message : "unparseable"})`,
    });
  }
  return schedule;
}

/** `ALLOWED_FILE_ROOTS`: absolute directories separated by the platform's path delimiter or commas. */
export function parseAllowedFileRoots(value: string | undefined, problems: FieldProblem[]): string[] {
  const roots = (value ?? "")
    // The same separators as the HTTP API's parser (src/config/httpApi.ts): comma, newline, path delimiter.
    .split(new RegExp(`[,\n${path.delimiter}]`))
    .map((s) => s.trim())
    .filter((s) => s !== "");
  for (const root of roots) {
    if (!path.isAbsolute(root)) {
      problems.push({ field: "ALLOWED_FILE_ROOTS", rule: "must list absolute directories only" });
      return [];
    }
  }
  return roots.map((r) => path.resolve(r));
}

/** Reads and validates the definitions the settings point at; no setting means no mirrors. */
export async function loadMirrorDefinitions(settings: MirrorSettings): Promise<MirrorDefinitions> {
  const { parseMirrorDefinitions } = await import("./definitions.js");
  const allowedFileRoots = settings.allowedFileRoots;
  if (settings.mirrorsJson) {
    return parseMirrorDefinitions(settings.mirrorsJson, { allowedFileRoots, settingName: "MIRRORS" });
  }
  if (settings.mirrorsFile) {
    let text: string;
    try {
      text = await readFile(settings.mirrorsFile, "utf8");
    } catch (err: unknown) {
      const code = err instanceof Error && "code" in err ? String(err.code) : "unreadable";
      throw new ConfigError([{ field: "MIRRORS_FILE", rule: `must name a readable file (${code})` }]);
    }
    return parseMirrorDefinitions(text, {
      allowedFileRoots,
      settingName: "MIRRORS_FILE",
      baseDir: path.dirname(path.resolve(settings.mirrorsFile)),
    });
  }
  return { valid: [], invalid: [] };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
