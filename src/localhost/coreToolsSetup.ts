/**
 * What Azure Functions Core Tools needs before `func start` (issue 12 item 4): a local.settings.json (it reads
 * its Values as app settings and stops, or asks which runtime to use, without one) and
 * FUNCTIONS_WORKER_RUNTIME=node (in Azure, Flex Consumption sets the runtime in functionAppConfig instead, so
 * the template does not set it). The file is created from local.settings.sample.json only when absent: an
 * existing one holds the developer's own settings and is never overwritten.
 */
import { constants, copyFile } from "node:fs/promises";
import path from "node:path";

export const LOCAL_SETTINGS = "local.settings.json";
export const LOCAL_SETTINGS_SAMPLE = "local.settings.sample.json";

/** Copies the sample to local.settings.json unless one exists; says which happened. */
export async function ensureLocalSettings(appDir: string): Promise<"created" | "kept"> {
  try {
    // COPYFILE_EXCL: the check and the write are one step, so even a file created meanwhile is kept.
    await copyFile(
      path.join(appDir, LOCAL_SETTINGS_SAMPLE),
      path.join(appDir, LOCAL_SETTINGS),
      constants.COPYFILE_EXCL,
    );
    return "created";
  } catch (err: unknown) {
    if ((err as { code?: unknown }).code === "EEXIST") return "kept";
    throw err;
  }
}

/** The environment `func start` runs with: the app's settings, and the Node.js worker whatever else was set. */
export function coreToolsEnv(
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string | undefined> {
  return { ...env, FUNCTIONS_WORKER_RUNTIME: "node" };
}
