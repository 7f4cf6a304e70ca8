/**
 * Issue 16: one active job per destination item. Two HTTP requests for one path (spelled in different case),
 * and a mirror pass racing an HTTP request, through the real function handlers over Azurite and the Graph
 * emulator: the newer job completes with its content at the destination, the older ends `superseded` naming the
 * newer request, its session (if any) deleted; never two `completed` for one item.
 */
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { InvocationContext } from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServices, type Services } from "../../../src/app/services.js";
import { loadConfig } from "../../../src/config/index.js";
import type { WakeMessage } from "../../../src/core/ports/stores.js";
import {
  DEFAULT_DRIVE_IDS,
  DEFAULT_TOKEN,
  type RunningEmulator,
  startEmulator,
} from "../../../src/emulator/index.js";
import { installServices } from "../../../src/functions/appServices.js";
import { runScheduledMirrorPass } from "../../../src/functions/mirrorTimer.js";
import { createUploadFunction } from "../../../src/functions/uploads.js";
import { wakeQueueOutput } from "../../../src/functions/wakeOutput.js";
import { wakeQueueHandler } from "../../../src/functions/wakeQueue.js";
import { encodeWakeMessage } from "../../../src/store/wakeMessageCodec.js";
import { type RunningAzurite, startAzurite } from "../../support/azurite.js";
import { jsonRequest } from "../../support/httpApiHarness.js";
import { AzureQueueDriver } from "../../support/pipeline/azureQueueDriver.js";

const driveId = DEFAULT_DRIVE_IDS.opsDocuments;
const KiB = 1024;

let azurite: RunningAzurite;
let emu: RunningEmulator;
let root: string;
let rt: Services;
const older = randomBytes(900 * KiB);
const newer = randomBytes(700 * KiB);
const mirrored = randomBytes(500 * KiB);

const context = (name: string) =>
  new InvocationContext({ functionName: name, invocationId: name, logHandler: () => undefined });

beforeAll(async () => {
  [azurite, emu] = await Promise.all([startAzurite(), startEmulator()]);
  // The target folders exist: a session below a missing folder answers 404 first (field profile), which
  // would add folder requests to the counts below.
  for (const folder of ["/same", "/mid"]) emu.inspect.putItem(driveId, `${folder}/.keep`, Buffer.from("x"));
  root = await mkdtemp(path.join(os.tmpdir(), "gm-samedest-"));
  await mkdir(path.join(root, "mirror"));
  await writeFile(path.join(root, "older.bin"), older);
  await writeFile(path.join(root, "newer.bin"), newer);
  await writeFile(path.join(root, "mirror", "report.bin"), mirrored);
  rt = createServices(
    loadConfig({
      AzureWebJobsStorage: azurite.connectionString,
      GRAPH_BASE_URL: emu.graphBaseUrl,
      GRAPH_ACCESS_TOKEN: DEFAULT_TOKEN,
      ALLOWED_FILE_ROOTS: root,
      CHUNK_SIZE: "320KiB",
      SIMPLE_UPLOAD_MAX: "320KiB",
      MIRRORS: JSON.stringify([
        {
          name: "race",
          source: { type: "file", path: path.join(root, "mirror") },
          destinations: [{ type: "drive", driveId, path: "/race" }],
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

/** POST /api/uploads through the real function; its first wakes go out as the host writes the output binding. */
async function post(file: string, itemPath: string): Promise<string> {
  const ctx = context(`post-${file}`);
  const response = await createUploadFunction(
    jsonRequest({
      source: { type: "file", path: path.join(root, file) },
      destinations: [{ type: "drive", driveId, path: itemPath }],
    }),
    ctx,
  );
  expect(response.status).toBe(202);
  const storage = await rt.storage();
  const wakes = (ctx.extraOutputs.get(wakeQueueOutput) ?? []) as WakeMessage[];
  for (const wake of wakes) await storage.clients.wakeQueue.sendMessage(encodeWakeMessage(wake));
  return ((await response.json()) as { id: string }).id;
}

async function jobsOf(requestId: string) {
  const storage = await rt.storage();
  return (await storage.jobs.listByRequest(requestId)).map((row) => row.job);
}

async function drain() {
  const storage = await rt.storage();
  const driver = new AzureQueueDriver({ queue: storage.clients.wakeQueue, handler: wakeQueueHandler });
  await driver.drain(200);
}

describe("one active job per destination item (issue 16)", () => {
  it("two requests at once for one path (any case): the newer completes, the older ends superseded", async () => {
    emu.inspect.clearLog();
    const first = await post("older.bin", "/Same/Target.bin");
    const second = await post("newer.bin", "/same/TARGET.BIN");
    await drain();
    const [a] = await jobsOf(first);
    const [b] = await jobsOf(second);
    expect(b?.status).toBe("completed");
    expect(a?.status).toBe("superseded");
    expect(a?.supersededBy).toEqual({ requestId: second, jobId: b?.jobId });
    expect(a?.lastError?.code).toBe("superseded");
    expect(emu.inspect.readItem(driveId, "/same/target.bin")?.equals(newer)).toBe(true);
    // The older job never started: superseded before its first step, so it made no Graph request at all.
    const log = emu.inspect.requestLog();
    expect(log.filter((r) => r.route === "createUploadSession")).toHaveLength(1);
    expect(log.filter((r) => r.route === "uploadFragment")).toHaveLength(3);
    expect(emu.inspect.sessions()).toEqual([]);
  });

  it("an older job mid-upload is cancelled (its session deleted) when a newer request arrives", async () => {
    emu.inspect.clearLog();
    const first = await post("older.bin", "/mid/file.bin");
    const storage = await rt.storage();
    // Two steps of the older job: prepare, then create its session.
    for (let i = 0; i < 2; i++) {
      const [message] = (await storage.clients.wakeQueue.receiveMessages()).receivedMessageItems;
      if (!message) throw new Error("no wake");
      const next = await wakeQueueHandler(JSON.parse(message.messageText), context(`older-${i}`));
      if (next) await storage.clients.wakeQueue.sendMessage(encodeWakeMessage(next));
      await storage.clients.wakeQueue.deleteMessage(message.messageId, message.popReceipt);
    }
    expect(emu.inspect.sessions()).toHaveLength(1);
    const second = await post("newer.bin", "/MID/file.bin");
    await drain();
    const [a] = await jobsOf(first);
    const [b] = await jobsOf(second);
    expect([a?.status, b?.status]).toEqual(["superseded", "completed"]);
    expect(a?.supersededBy?.requestId).toBe(second);
    expect(emu.inspect.readItem(driveId, "/mid/file.bin")?.equals(newer)).toBe(true);
    const log = emu.inspect.requestLog();
    expect(log.filter((r) => r.route === "uploadCancel")).toHaveLength(1);
    expect(log.filter((r) => r.route === "createUploadSession")).toHaveLength(2);
    expect(emu.inspect.sessions()).toEqual([]);
  });

  it("a mirror pass racing an HTTP request for the same item: never two completed", async () => {
    emu.inspect.clearLog();
    const pass = await runScheduledMirrorPass(context("mirrorTimer"), rt);
    const runId = pass.runs[0]?.runId ?? "";
    expect(pass.runs[0]?.run).toMatchObject({ mirror: "race", jobsCreated: 1 });
    const httpRequest = await post("newer.bin", "/RACE/report.bin");
    await drain();
    const [mirrorJob] = await jobsOf(runId);
    const [httpJob] = await jobsOf(httpRequest);
    expect(mirrorJob?.status).toBe("superseded");
    expect(mirrorJob?.supersededBy?.requestId).toBe(httpRequest);
    expect(httpJob?.status).toBe("completed");
    expect(emu.inspect.readItem(driveId, "/race/report.bin")?.equals(newer)).toBe(true);
    expect(emu.inspect.sessions()).toEqual([]);
  });
});
