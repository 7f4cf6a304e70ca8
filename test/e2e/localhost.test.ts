/**
 * End to end: the local Functions host as a child process against Azurite and the Graph emulator. POST an
 * upload, SIGKILL the host mid-upload, start it again: the upload completes byte-identical (issue 4).
 *
 * The kill lands while the job waits out a Retry-After (the emulator throttles one fragment): the job's state
 * is only in Azurite (its row, and a delayed wake message), nothing in the killed process. A kill in the middle
 * of a step is covered by the crash-point matrix of the pipeline tests (the job lease must expire first).
 */
import { randomBytes } from "node:crypto";
import { QueueServiceClient } from "@azure/storage-queue";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  DEFAULT_DRIVE_IDS,
  DEFAULT_TOKEN,
  type RunningEmulator,
  startEmulator,
} from "../../src/emulator/index.js";
import { type RunningAzurite, startAzurite } from "../support/azurite.js";
import { ensureBuilt } from "../support/builtApp.js";
import {
  appFolder,
  eventually,
  type LocalHostProcess,
  startLocalHostProcess,
} from "../support/localHostProcess.js";

let azurite: RunningAzurite;
let emulator: RunningEmulator;
const hosts: LocalHostProcess[] = [];

beforeAll(async () => {
  await ensureBuilt();
  [azurite, emulator] = await Promise.all([startAzurite(), startEmulator()]);
});

afterAll(async () => {
  await Promise.all(hosts.map((h) => h.kill("SIGKILL")));
  await Promise.all([emulator?.close(), azurite?.stop()]);
});

interface Status {
  done: boolean;
  jobs: { status: string; bytesConfirmed: number; lastError?: { code: string } }[];
}

it("survives SIGKILL of the host mid-upload and finishes byte-identical", async () => {
  const app = appFolder({ maxPollingInterval: 200 });
  const env = {
    AzureWebJobsStorage: azurite.connectionString,
    GRAPH_BASE_URL: emulator.graphBaseUrl,
    GRAPH_ACCESS_TOKEN: DEFAULT_TOKEN,
    CHUNK_SIZE: "320KiB",
    SIMPLE_UPLOAD_MAX: "320KiB",
  };
  const bytes = randomBytes(10 * 320 * 1024 + 777);
  // The 4th fragment PUT is throttled: the job then waits 3 s with nothing but a delayed message in the queue.
  const throttle = emulator.faults.add({
    match: { route: "uploadFragment", nth: 4 },
    fault: { type: "status", status: 429, retryAfterSeconds: 3 },
  });

  const first = await startLocalHostProcess(app, env);
  hosts.push(first);
  const post = await fetch(
    `${first.baseUrl}/api/uploads?to=drive:${DEFAULT_DRIVE_IDS.opsReports}:/e2e/&name=big.bin`,
    { method: "POST", headers: { "content-type": "application/octet-stream" }, body: bytes },
  );
  expect(post.status).toBe(202);
  const { id } = (await post.json()) as { id: string };

  await eventually(async () => (throttle.hits > 0 ? true : undefined), 30_000, "the throttled fragment", 20);
  // Kill once the worker has written the throttled step's result and sent its delayed wake (a kill between
  // those two is the sweeper's case, minutes later by design).
  const queue = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient(
    "upload-steps",
  );
  await eventually(
    async () => {
      const status = (await (await fetch(`${first.baseUrl}/api/uploads/${id}`)).json()) as Status;
      if (!status.jobs[0]?.lastError) return undefined;
      const { approximateMessagesCount = 0 } = await queue.getProperties();
      return approximateMessagesCount > 0 ? true : undefined;
    },
    10_000,
    "the throttled step to be written and its delayed wake sent",
    20,
  );
  await first.kill("SIGKILL");
  const atKill = (await (await fetch(`${first.baseUrl}/api/uploads/${id}`).catch(() => undefined))?.json()) as
    | Status
    | undefined;
  expect(atKill).toBeUndefined(); // the host is really gone

  const second = await startLocalHostProcess(app, env);
  hosts.push(second);
  const midway = (await (await fetch(`${second.baseUrl}/api/uploads/${id}`)).json()) as Status;
  expect(midway.done).toBe(false);
  expect(midway.jobs[0]?.bytesConfirmed).toBeGreaterThan(0);
  expect(midway.jobs[0]?.bytesConfirmed).toBeLessThan(bytes.length);

  const final = await eventually(
    async () => {
      const status = (await (await fetch(`${second.baseUrl}/api/uploads/${id}`)).json()) as Status;
      return status.done ? status : undefined;
    },
    40_000,
    "the upload to finish after the restart",
  ).catch((err: unknown) => {
    throw new Error(
      `${String(err)}\n--- first host ---\n${first.output()}\n--- second host ---\n${second.output()}`,
    );
  });
  expect(final.jobs.map((j) => j.status)).toEqual(["completed"]);
  expect(emulator.inspect.readItem(DEFAULT_DRIVE_IDS.opsReports, "/e2e/big.bin")?.equals(bytes)).toBe(true);
});
