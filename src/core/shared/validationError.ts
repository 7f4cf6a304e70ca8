/**
 * One error type for bad configuration and bad input: it names each field and the rule it broke
 * (DEVELOPERS "Standards": bad input gets a clear error that names the field and the rule).
 * Values are never echoed: a setting may hold a secret.
 *
 * It lives in the core (it was src/config/configError.ts) because every layer raises it: settings, mirror
 * definitions, the HTTP API's body checks, the emulator's seed and fault rules. The class keeps its name.
 */
import type { z } from "zod";

export interface FieldProblem {
  /** The setting or field, e.g. `CHUNK_SIZE` or `destinations[1].path`. */
  readonly field: string;
  /** The rule, e.g. `must be a multiple of 320 KiB (327680 bytes)`. */
  readonly rule: string;
}

export class ConfigError extends Error {
  constructor(
    readonly problems: readonly FieldProblem[],
    context = "configuration",
  ) {
    super(`invalid ${context}: ${problems.map((p) => `${p.field}: ${p.rule}`).join("; ")}`);
    this.name = "ConfigError";
  }
}

/** Turns zod issues into field problems; `prefix` names the parent (e.g. a mirror's name). */
export function problemsFromZod(error: z.ZodError, prefix = ""): FieldProblem[] {
  return error.issues.map((issue) => {
    const path = issue.path
      .map((part, i) =>
        typeof part === "number" ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`,
      )
      .join("");
    const field = prefix && path ? `${prefix}.${path}` : prefix || path || "(root)";
    return { field, rule: issue.message };
  });
}

/**
 * A whole-number setting within [min, max], or `fallback` when unset. A bad value adds a problem naming the
 * setting and the rule (and returns `fallback`, so every problem of a parse is reported together).
 */
export function wholeNumberSetting(
  raw: string | undefined,
  field: string,
  fallback: number,
  min: number,
  max: number,
  problems: FieldProblem[],
): number {
  const value = raw?.trim();
  if (!value) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) {
    problems.push({ field, rule: `must be a whole number from ${min} to ${max}` });
    return fallback;
  }
  return n;
}
