/**
 * `graph-mirror start`, step 2 (start.ts): storage. When AzureWebJobsStorage is `UseDevelopmentStorage=true` or
 * unset, reuse an Azurite listening on its ports, or start one whose data persists under `<data dir>/.azurite/`
 * and whose output goes to `<data dir>/.local/logs/azurite.log`.
 */
import { createWriteStream, mkdirSync } from "node:fs";
import path from "node:path";
import {
  type AzuriteProcess,
  azuriteListening,
  devStorageConnectionString,
  isDevelopmentStorage,
  startPersistentAzurite,
} from "../../localhost/azurite.js";
import type { StartRun } from "./startRun.js";

export async function provideStorage(run: StartRun): Promise<void> {
  const { env, ports, say } = run;
  if (!isDevelopmentStorage(env.AzureWebJobsStorage)) {
    say("  storage   AzureWebJobsStorage from the settings");
    return;
  }
  const azurite = { blob: ports.azuriteBlob, queue: ports.azuriteQueue, table: ports.azuriteTable };
  const range = `127.0.0.1:${azurite.blob}-${azurite.table}`;
  env.AzureWebJobsStorage = devStorageConnectionString(azurite);
  const listening = await azuriteListening(azurite);
  if (listening === 3) {
    say(`  storage   Azurite already running on ${range} (reused)`);
    return;
  }
  if (listening > 0)
    throw new Error(
      `some of the Azurite ports (${azurite.blob}, ${azurite.queue}, ${azurite.table}) are taken by something else: stop it, set AZURITE_*_PORT, or set AzureWebJobsStorage`,
    );
  const started: AzuriteProcess = await startPersistentAzurite(run.dataDir, azurite);
  mkdirSync(run.logDir, { recursive: true });
  const azuriteLogFile = path.join(run.logDir, "azurite.log");
  const azuriteLog = createWriteStream(azuriteLogFile, { flags: "a" });
  started.child.stdout?.on("data", (d: Buffer) => azuriteLog.write(d));
  started.child.stderr?.on("data", (d: Buffer) => azuriteLog.write(d));
  // Azurite stops last (its final save may still print), then its log closes.
  run.life.onStopLast(async () => {
    await started.stop();
    await new Promise<void>((resolve) => azuriteLog.end(() => resolve()));
  });
  run.life.children.watch("Azurite", started.child, `its output is in ${azuriteLogFile}`);
  say(`  storage   Azurite on ${range}, data in ${path.join(run.dataDir, ".azurite")}`);
}
