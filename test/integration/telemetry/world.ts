/**
 * The app's Functions adapters (uploadWake, uploadWakePoison) with a real InvocationContext, the real engine
 * wiring (src/app/engine.ts, the real fetch-based Graph client) against the Graph emulator over
 * sockets, and the in-memory store twins on a manual clock. Deliveries are driven by hand: each continuation
 * the adapter returns (output binding) or sends (delayed, through the queue SDK) is delivered next, with the
 * clock moved past its delay, so a 429's Retry-After costs no real time.
 */
import { writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { InvocationContext } from "@azure/functions";
import { createServices } from "../../../src/app/services.js";
import { loadConfig } from "../../../src/config/index.js";
import { parseStorageConfig } from "../../../src/config/storage.js";
import { isTerminal, type UploadJob } from "../../../src/core/job/job.js";
import type { WakeMessage } from "../../../src/core/ports/stores.js";
import { newJob } from "../../../src/core/upload/engine.js";
import { DEFAULT_DRIVE_IDS, DEFAULT_TOKEN, type RunningEmulator } from "../../../src/emulator/index.js";
import { installServices } from "../../../src/functions/appServices.js";
import { wakeQueueHandler } from "../../../src/functions/wakeQueue.js";
import { createStorageClients } from "../../../src/store/factory.js";
import { MemoryDestinationIndex } from "../../../src/store/memoryDestinationIndex.js";
import { MemoryJobStore } from "../../../src/store/memoryJobStore.js";
import { MemoryThrottleStore } from "../../../src/store/memoryThrottleStore.js";
import { MemoryWakeQueue } from "../../../src/store/memoryWakeQueue.js";
import { MemoryRejectedWakes } from "../../../src/store/rejectedWakes.js";
import { ManualClock } from "../../support/pipeline/manualClock.js";

export interface LogRecord {
  readonly level: string;
  readonly text: string;
}

export const DRIVE = DEFAULT_DRIVE_IDS.opsDocuments;
export const CHUNK = 327_680;

export function installApp(emu: RunningEmulator) {
  const clock = new ManualClock(Date.now());
  const jobs = new MemoryJobStore();
  const queue = new MemoryWakeQueue(clock);
  const logs: LogRecord[] = [];
  const env = {
    AzureWebJobsStorage: "UseDevelopmentStorage=true",
    GRAPH_BASE_URL: emu.graphBaseUrl,
    GRAPH_ACCESS_TOKEN: DEFAULT_TOKEN,
    CHUNK_SIZE: "320KiB",
    SIMPLE_UPLOAD_MAX: "320KiB",
  };
  installServices(
    createServices(loadConfig(env), {
      clock,
      storage: async () => ({
        jobs,
        throttle: new MemoryThrottleStore(),
        wakeQueue: queue,
        destinations: new MemoryDestinationIndex(),
        rejectedWakes: new MemoryRejectedWakes(),
        clients: createStorageClients(parseStorageConfig(env)),
        ensureResources: async () => {},
      }),
    }),
  );
  const context = (functionName = "uploadWake") =>
    new InvocationContext({
      functionName,
      invocationId: `inv-${logs.length}`,
      triggerMetadata: { dequeueCount: 1 },
      logHandler: (level, ...args) => logs.push({ level, text: args.map(String).join(" ") }),
    });

  /** A queued job uploading a new local file of `size` random bytes to the emulator's Ops library. */
  async function createJob(name: string, size: number): Promise<UploadJob> {
    const file = path.join(os.tmpdir(), `gm-otel-${process.pid}-${name}`);
    await writeFile(file, Buffer.alloc(size, 7));
    const job = newJob({
      jobId: `job-${name.replace(/\W/g, "-")}`,
      requestId: `req-${name.replace(/\W/g, "-")}`,
      source: { type: "file", path: file },
      destination: { type: "drive", driveId: DRIVE, path: `/telemetry/${name}` },
      conflictBehavior: "replace",
      chunkSize: CHUNK,
      simpleUploadMax: CHUNK,
      now: clock.now(),
    });
    await jobs.createJobs([job]);
    return job;
  }

  /** Delivers wakes until the job is terminal; `afterStep` sees the row after every delivery. */
  async function runToEnd(job: UploadJob, afterStep?: (job: UploadJob) => void): Promise<UploadJob> {
    let message: WakeMessage | undefined = { jobId: job.jobId, requestId: job.requestId, wakeSeq: 0 };
    for (let deliveries = 0; message && deliveries < 100; deliveries++) {
      const sentBefore = queue.sent.length;
      const now = await wakeQueueHandler(message, context());
      const later = queue.sent.slice(sentBefore).at(-1);
      if (later) clock.advance(later.delayMs + 1);
      message = now ?? later?.message;
      const row = await jobs.get(job.jobId, job.requestId);
      if (row) afterStep?.(row.job);
      if (row && isTerminal(row.job.status)) return row.job;
    }
    throw new Error(`job ${job.jobId} did not finish`);
  }

  return { clock, jobs, queue, logs, context, createJob, runToEnd, close: () => installServices(undefined) };
}
