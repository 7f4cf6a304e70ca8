/**
 * Issue 15 item 8: `graph-mirror status --azure` reads the settings the function app reads: AzureWebJobsStorage
 * (through loadConfig, as the app does) from the environment or, as `func start` would, from local.settings.json's
 * Values, the environment winning. Against a real Azurite.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { statusCommand } from "../../../src/cli/commands/status.js";
import { parseStorageConfig } from "../../../src/config/storage.js";
import { createMirrorStores } from "../../../src/mirror/storage.js";
import { type RunningAzurite, startAzurite } from "../../support/azurite.js";
import { captureStream } from "../../support/capturedStream.js";

describe("status --azure reads the app's settings", () => {
  let azurite: RunningAzurite;
  let appDir: string;
  beforeAll(async () => {
    azurite = await startAzurite();
    appDir = await mkdtemp(path.join(os.tmpdir(), "gm-status-azure-"));
    const stores = createMirrorStores(parseStorageConfig({ AzureWebJobsStorage: azurite.connectionString }));
    await stores.ensureTables();
    const now = Date.now();
    await stores.history.recordRun({
      mirror: "from-tables",
      runId: "run-1",
      startedAt: now - 1_000,
      finishedAt: now,
      result: "ok",
      listed: 3,
      unchanged: 1,
      jobsCreated: 2,
      inProgress: 0,
      conflicts: 0,
      deletions: 0,
      errors: [],
    });
  });
  afterAll(async () => {
    await azurite?.stop();
    if (appDir) await rm(appDir, { recursive: true, force: true });
  });

  const writeSettings = (values: Record<string, string>) =>
    writeFile(
      path.join(appDir, "local.settings.json"),
      JSON.stringify({ IsEncrypted: false, Values: values }),
    );
  const status = async (env: Record<string, string>) => {
    const out = captureStream();
    await statusCommand({ azure: true, limit: "5" }, { env, stdout: out.stream, appDir });
    return out.text();
  };

  it("takes AzureWebJobsStorage from local.settings.json when nothing is exported", async () => {
    await writeSettings({ AzureWebJobsStorage: azurite.connectionString, FUNCTIONS_WORKER_RUNTIME: "node" });
    expect(await status({})).toMatch(/from-tables\s+ok\s+3 listed, 1 unchanged, 2 job\(s\)/);
  });

  it("lets the environment win over local.settings.json, as func start does", async () => {
    await writeSettings({ AzureWebJobsStorage: "AccountKey=s3cret-not-a-connection-string" });
    expect(await status({ AzureWebJobsStorage: azurite.connectionString })).toMatch(/from-tables\s+ok/);
  });

  it("refuses a bad value from local.settings.json naming the setting and the rule, never the value", async () => {
    await writeSettings({ AzureWebJobsStorage: "AccountKey=s3cret-not-a-connection-string" });
    const failure = status({});
    await expect(failure).rejects.toThrow(/AzureWebJobsStorage: must be a storage connection string/);
    await expect(failure).rejects.not.toThrow(/s3cret/);
  });

  it("applies the app's rules to the identity-based forms too", async () => {
    await writeSettings({ AzureWebJobsStorage__tableServiceUri: "http://insecure.example/" });
    await expect(status({})).rejects.toThrow(
      /AzureWebJobsStorage__tableServiceUri: must be an https:\/\/ URL/,
    );
  });

  it("names AzureWebJobsStorage and its choices when neither place sets it", async () => {
    await writeSettings({ FUNCTIONS_WORKER_RUNTIME: "node" });
    await expect(status({})).rejects.toThrow(
      /AzureWebJobsStorage: is required: a connection string, UseDevelopmentStorage=true/,
    );
  });

  it("validates the settings as the app's loadConfig does, every area", async () => {
    await writeSettings({ AzureWebJobsStorage: azurite.connectionString, WAKE_QUEUE: "Not_A_Queue" });
    await expect(status({})).rejects.toThrow(/WAKE_QUEUE/);
  });

  it("names local.settings.json when it is not JSON", async () => {
    await writeFile(path.join(appDir, "local.settings.json"), "{ not json");
    await expect(status({})).rejects.toThrow(/local\.settings\.json: is not valid JSON/);
  });
});
