/**
 * The real step function (src/functions/wakeQueue.ts) over real Azurite storage and the Graph emulator:
 * a 50 MiB upload through the queue, one chunk per invocation, byte-identical; then the same with every
 * message delivered twice.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { InvocationContext } from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createServices } from "../../../src/app/services.js";
import { loadConfig } from "../../../src/config/index.js";
import { ChunkBufferPool } from "../../../src/core/upload/bufferPool.js";
import { newJob } from "../../../src/core/upload/engine.js";
import {
  DEFAULT_DRIVE_IDS,
  DEFAULT_TOKEN,
  type RunningEmulator,
  startEmulator,
} from "../../../src/emulator/index.js";
import { installServices } from "../../../src/functions/appServices.js";
import { wakeQueueHandler } from "../../../src/functions/wakeQueue.js";
import { encodeWakeMessage } from "../../../src/store/wakeMessageCodec.js";
import { type RunningAzurite, startAzurite } from "../../support/azurite.js";
import { AzureQueueDriver, decodeAsHost } from "../../support/pipeline/azureQueueDriver.js";

const MiB = 1024 * 1024;
const CHUNK = 10 * MiB;
const driveId = DEFAULT_DRIVE_IDS.opsDocuments;

let azurite: RunningAzurite;
let emu: RunningEmulator;
let dir: string;
let source: Buffer;
let sourcePath: string;

beforeAll(async () => {
  [azurite, emu] = await Promise.all([startAzurite(), startEmulator({})]);
  // The folder exists, so invocations per chunk measure uploading, not the one-time folder creation (a session
  // below a missing folder answers 404 in the field profile; the engine then creates it).
  emu.inspect.putItem(DEFAULT_DRIVE_IDS.opsDocuments, "/pipeline/.keep", Buffer.from("x"));
  dir = await mkdtemp(path.join(tmpdir(), "pipeline-"));
  source = randomBytes(50 * MiB);
  sourcePath = path.join(dir, "big.bin");
  await writeFile(sourcePath, source);
});
afterAll(async () => {
  installServices(undefined);
  await Promise.all([azurite?.stop(), emu?.close()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function setup(name: string) {
  const rt = createServices(
    loadConfig({
      AzureWebJobsStorage: azurite.connectionString,
      GRAPH_BASE_URL: emu.graphBaseUrl,
      GRAPH_ACCESS_TOKEN: DEFAULT_TOKEN,
      CHUNK_SIZE: "10MiB",
      WAKE_QUEUE: `steps-${name}`,
      JOBS_TABLE: `jobs${name}`,
    }),
    { log: () => {} },
  );
  installServices(rt);
  const storage = await rt.storage();
  const job = newJob({
    jobId: `job-${name}`,
    requestId: `req-${name}`,
    source: { type: "file", path: sourcePath },
    destination: { type: "drive", driveId, path: `/pipeline/${name}.bin` },
    conflictBehavior: "replace",
    chunkSize: CHUNK,
    simpleUploadMax: 4 * MiB,
    now: Date.now(),
  });
  await storage.jobs.createJobs([job]);
  await storage.wakeQueue.send({ jobId: job.jobId, requestId: job.requestId, wakeSeq: 0 }, 0);
  emu.inspect.clearLog();
  return { storage, job };
}

async function runUpload(name: string, duplicate: boolean) {
  const { storage, job } = await setup(name);
  const fragmentsPerInvocation: number[] = [];
  let seen = 0;
  const driver = new AzureQueueDriver({
    queue: storage.clients.wakeQueue,
    handler: wakeQueueHandler,
    duplicate,
    afterInvocation: () => {
      const fragments = emu.inspect.requestLog().filter((r) => r.route === "uploadFragment").length;
      fragmentsPerInvocation.push(fragments - seen);
      seen = fragments;
    },
  });
  await driver.drain(100);
  const stored = await storage.jobs.get(job.jobId, job.requestId);
  return { stored, driver, fragmentsPerInvocation, log: emu.inspect.requestLog() };
}

describe("queue pipeline against Azurite and the emulator", () => {
  it("uploads 50 MiB one chunk per invocation, byte-identical, reusing two fragment buffers", async () => {
    const acquire = vi.spyOn(ChunkBufferPool.prototype, "acquire");
    const { stored, driver, fragmentsPerInvocation, log } = await runUpload("plain", false);
    // One pool per instance: every invocation's fragment goes through the same 10 MiB buffers, not fresh ones
    // left for the garbage collector (docs/pipeline.md "Performance").
    const buffers = acquire.mock.results.map((r) => r.value as Uint8Array);
    acquire.mockRestore();
    // With read-ahead (docs/upload.md "Overlap") each invocation reads the next fragment into the second of two
    // buffers while its own is on the wire, and the next invocation on this instance sends that one: five
    // reads, two buffers taking turns, never a third.
    expect(buffers).toHaveLength(5);
    expect(new Set(buffers).size).toBe(2);
    expect(stored?.job.status).toBe("completed");
    expect(stored?.job.result?.verification).toBe("hash");
    expect(emu.inspect.readItem(driveId, "/pipeline/plain.bin")?.equals(source)).toBe(true);
    expect(Math.max(...fragmentsPerInvocation)).toBe(1);
    expect(log.filter((r) => r.route === "uploadFragment")).toHaveLength(5);
    expect(log.filter((r) => r.route === "createUploadSession" && r.status === 200)).toHaveLength(1);
    // 5 chunks plus the session creation: invocations per chunk stays near 1.
    expect(driver.invocations).toBeLessThanOrEqual(5 + 2);
    expect(log.some((r) => r.host === "upload" && r.hadAuthorization)).toBe(false);
  });

  it("survives duplicate delivery of every message without a second session or extra fragments", async () => {
    const { stored, driver, log } = await runUpload("dup", true);
    expect(stored?.job.status).toBe("completed");
    expect(emu.inspect.readItem(driveId, "/pipeline/dup.bin")?.equals(source)).toBe(true);
    expect(log.filter((r) => r.route === "createUploadSession" && r.status === 200)).toHaveLength(1);
    expect(log.filter((r) => r.route === "uploadFragment")).toHaveLength(5);
    expect(driver.invocations).toBeGreaterThanOrEqual(10);
  });

  it("lets only one of two workers racing on the same message do Graph I/O, step after step", async () => {
    const { storage, job } = await setup("race");
    const context = (n: number) =>
      new InvocationContext({ functionName: "uploadWake", invocationId: `race-${n}`, logHandler: () => {} });
    for (let stepNo = 0; stepNo < 4; stepNo++) {
      const [message] = (await storage.clients.wakeQueue.receiveMessages({ visibilityTimeout: 600 }))
        .receivedMessageItems;
      if (!message) throw new Error(`no message for step ${stepNo}`);
      const before = emu.inspect.requestLog().length;
      const item = decodeAsHost(message.messageText);
      const outputs = await Promise.all([
        wakeQueueHandler(item, context(1)),
        wakeQueueHandler(item, context(2)),
      ]);
      // One worker took the lease; the step it ran makes at most one Graph request.
      expect(emu.inspect.requestLog().length - before).toBeLessThanOrEqual(1);
      const sent = outputs.filter((o) => o !== undefined);
      expect(sent).toHaveLength(1);
      const [next] = sent;
      if (next) await storage.clients.wakeQueue.sendMessage(encodeWakeMessage(next));
      await storage.clients.wakeQueue.deleteMessage(message.messageId, message.popReceipt);
    }
    const log = emu.inspect.requestLog();
    expect(log.filter((r) => r.route === "createUploadSession" && r.status === 200)).toHaveLength(1);
    expect(log.filter((r) => r.route === "uploadFragment").length).toBeGreaterThanOrEqual(1);
    // A second worker's duplicate PUT would have been answered 416 (overlap).
    expect(log.every((r) => r.status < 300)).toBe(true);
    const driver = new AzureQueueDriver({ queue: storage.clients.wakeQueue, handler: wakeQueueHandler });
    await driver.drain(20);
    expect((await storage.jobs.get(job.jobId, job.requestId))?.job.status).toBe("completed");
    expect(emu.inspect.readItem(driveId, "/pipeline/race.bin")?.equals(source)).toBe(true);
  });
});
