/**
 * The step and poison functions record a mirror job's end at once (src/functions/mirrorWiring.ts `onJobFinished`), so history
 * and manifest do not wait for the next hourly pass: over Azurite and the Graph emulator, a mirror job that
 * completes through the queue appears in history as completed, and a job whose wake is poisoned appears as
 * failed (code poisoned), with no mirror pass in between.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { InvocationContext } from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServices, type Services } from "../../../src/app/services.js";
import { loadConfig } from "../../../src/config/index.js";
import {
  DEFAULT_DRIVE_IDS,
  DEFAULT_TOKEN,
  type RunningEmulator,
  startEmulator,
} from "../../../src/emulator/index.js";
import { installServices } from "../../../src/functions/appServices.js";
import { runScheduledMirrorPass } from "../../../src/functions/mirrorTimer.js";
import { poisonHandler } from "../../../src/functions/poison.js";
import { wakeQueueHandler } from "../../../src/functions/wakeQueue.js";
import { type RunningAzurite, startAzurite } from "../../support/azurite.js";
import { AzureQueueDriver, decodeAsHost } from "../../support/pipeline/azureQueueDriver.js";

describe("mirror job ends recorded by the step and poison functions", () => {
  let azurite: RunningAzurite;
  let emu: RunningEmulator;
  let root: string;
  let rt: Services;
  const context = (name: string) =>
    new InvocationContext({ functionName: name, invocationId: name, logHandler: () => undefined });

  beforeAll(async () => {
    [azurite, emu] = await Promise.all([startAzurite(), startEmulator()]);
    root = await mkdtemp(path.join(os.tmpdir(), "gm-jobend-"));
    await mkdir(path.join(root, "src"));
    await writeFile(path.join(root, "src", "a.txt"), "alpha");
    await writeFile(path.join(root, "src", "b.txt"), "bravo!");
    rt = createServices(
      loadConfig({
        AzureWebJobsStorage: azurite.connectionString,
        GRAPH_BASE_URL: emu.graphBaseUrl,
        GRAPH_ACCESS_TOKEN: DEFAULT_TOKEN,
        ALLOWED_FILE_ROOTS: root,
        MIRRORS: JSON.stringify([
          {
            name: "ends",
            source: { type: "file", path: path.join(root, "src") },
            destinations: [{ type: "drive", driveId: DEFAULT_DRIVE_IDS.opsDocuments, path: "/ends" }],
          },
        ]),
      }),
    );
    installServices(rt);
  });
  afterAll(async () => {
    installServices(undefined);
    await Promise.all([azurite?.stop(), emu?.close()]);
    if (root) await rm(root, { recursive: true, force: true });
  });

  it("records completed and poisoned jobs in history without waiting for the next pass", async () => {
    const pass = await runScheduledMirrorPass(context("mirrorTimer"), rt);
    const runId = pass.runs[0]?.runId ?? "";
    expect(pass.runs[0]?.run).toMatchObject({ mirror: "ends", jobsCreated: 2 });
    const storage = await rt.storage();
    const wiring = await rt.mirror();

    // Poison b.txt's wake before any step ran, as the host does after maxDequeueCount failed deliveries.
    const rows = await storage.jobs.listByRequest(runId);
    const bRow = rows.find((r) => r.job.source.type === "file" && r.job.source.path.endsWith("b.txt"));
    if (!bRow) throw new Error("no job for b.txt");
    const received = await storage.clients.wakeQueue.receiveMessages({ numberOfMessages: 2 });
    for (const message of received.receivedMessageItems) {
      const wake = decodeAsHost(message.messageText) as { jobId: string };
      if (wake.jobId !== bRow.job.jobId) {
        await storage.clients.wakeQueue.updateMessage(message.messageId, message.popReceipt, undefined, 0);
        continue;
      }
      await poisonHandler(wake, context("uploadWakePoison"));
      await storage.clients.wakeQueue.deleteMessage(message.messageId, message.popReceipt);
    }
    expect((await storage.jobs.get(bRow.job.jobId, runId))?.job.status).toBe("failed");

    // a.txt completes through the step function.
    const driver = new AzureQueueDriver({ queue: storage.clients.wakeQueue, handler: wakeQueueHandler });
    await driver.drain(20);

    const history = await wiring.history.records({ mirror: "ends" });
    const byPath = Object.fromEntries(history.map((h) => [h.path, h]));
    expect(Object.keys(byPath).sort()).toEqual(["a.txt", "b.txt"]);
    expect(byPath["a.txt"]).toMatchObject({ outcome: "completed", bytes: 5, runId });
    expect(byPath["b.txt"]).toMatchObject({ outcome: "failed", errorCode: "poisoned", runId });
    // The manifest learned a.txt's upload, and no job is left pending for the next pass to settle.
    expect(await wiring.manifest.listPending("ends")).toEqual([]);
    expect(emu.inspect.readItem(DEFAULT_DRIVE_IDS.opsDocuments, "/ends/a.txt")?.toString()).toBe("alpha");

    // A duplicate delivery of a finished job records nothing twice.
    await poisonHandler(
      { jobId: bRow.job.jobId, requestId: runId, wakeSeq: bRow.wakeSeq },
      context("uploadWakePoison"),
    );
    expect(await wiring.history.records({ mirror: "ends" })).toHaveLength(2);
  });
});
