/**
 * `local.settings.json` (git-ignored) as Core Tools reads it: its `Values` become app settings (environment
 * variables) unless the environment already sets them. The sample with every setting is
 * local.settings.sample.json.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";

export async function readLocalSettings(appDir: string): Promise<Record<string, string>> {
  let raw: string;
  try {
    raw = await readFile(path.join(appDir, "local.settings.json"), "utf8");
  } catch (err: unknown) {
    if ((err as { code?: unknown }).code === "ENOENT") return {};
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error("local.settings.json is not valid JSON");
  }
  const values = (parsed as { Values?: unknown }).Values;
  if (values === undefined) return {};
  if (typeof values !== "object" || values === null || Array.isArray(values))
    throw new Error('local.settings.json: "Values" must be an object of setting names to strings');
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    if (typeof value !== "string") throw new Error(`local.settings.json: Values.${key} must be a string`);
    result[key] = value;
  }
  return result;
}

/** The environment a local run sees: local.settings.json's values under the real environment's. */
export function mergeSettings(
  values: Readonly<Record<string, string>>,
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string | undefined> {
  return { ...values, ...env };
}
