/**
 * End to end: the local Functions host as a child process against Azurite and the Graph emulator. POST an
 * upload, SIGKILL the host mid-upload, start it again: the upload completes byte-identical (issue 4).
 *
 * Two kills: one while the job waits out a Retry-After (its state is only in Azurite: its row and a delayed wake
 * message), and one in the middle of a step, while a fragment is in flight. For the second, a short step
 * deadline and lease margin (STEP_DEADLINE_SECONDS, LEASE_MARGIN_SECONDS) make the dead worker's lease end
 * within seconds, and the in-flight message's invisibility (LOCALHOST_MESSAGE_LEASE_SECONDS) outlasts that
 * lease, so its redelivery takes the job over and asks the session where to resume (docs/pipeline.md).
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
    "upload-wakes",
  );
  // The step function logs `wake-scheduled` once the delayed wake is in the queue. The queue's message count
  // cannot say so: it also counts the step's own trigger message until the host deletes it, so a kill timed by
  // it could land between the row write and the send, and the test then timed out waiting for the sweeper.
  await eventually(
    async () => (first.output().includes('"event":"wake-scheduled"') ? true : undefined),
    10_000,
    "the throttled step to be written and its delayed wake sent",
    20,
  );
  const { approximateMessagesCount = 0 } = await queue.getProperties();
  expect(approximateMessagesCount).toBeGreaterThan(0);
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

it("survives SIGKILL of the host while a fragment is in flight, resuming the same session", async () => {
  const app = appFolder({ maxPollingInterval: 200 });
  const env = {
    AzureWebJobsStorage: azurite.connectionString,
    GRAPH_BASE_URL: emulator.graphBaseUrl,
    GRAPH_ACCESS_TOKEN: DEFAULT_TOKEN,
    CHUNK_SIZE: "320KiB",
    SIMPLE_UPLOAD_MAX: "320KiB",
    // Lease = 5 + 1 s; the message stays invisible 8 s after it was received, so it reappears after the lease.
    STEP_DEADLINE_SECONDS: "5",
    LEASE_MARGIN_SECONDS: "1",
    LOCALHOST_MESSAGE_LEASE_SECONDS: "8",
  };
  // Hosts of the previous test listen on the same queue: only this test's hosts may take the job.
  await Promise.all(hosts.map((h) => h.kill("SIGKILL")));
  emulator.faults.clear();
  emulator.inspect.clearLog();
  const bytes = randomBytes(8 * 320 * 1024 + 99);
  // The 3rd fragment PUT is held 15 s before the emulator handles it: the host is killed while it waits.
  const hold = emulator.faults.add({
    match: { route: "uploadFragment", nth: 3 },
    fault: { type: "delay", ms: 15_000 },
  });

  const first = await startLocalHostProcess(app, env);
  hosts.push(first);
  const post = await fetch(
    `${first.baseUrl}/api/uploads?to=drive:${DEFAULT_DRIVE_IDS.opsReports}:/e2e/&name=midstep.bin`,
    { method: "POST", headers: { "content-type": "application/octet-stream" }, body: bytes },
  );
  expect(post.status).toBe(202);
  const { id } = (await post.json()) as { id: string };
  await eventually(async () => (hold.hits > 0 ? true : undefined), 30_000, "the held fragment to arrive", 10);
  await first.kill("SIGKILL");

  const second = await startLocalHostProcess(app, env);
  hosts.push(second);
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
  expect(emulator.inspect.readItem(DEFAULT_DRIVE_IDS.opsReports, "/e2e/midstep.bin")?.equals(bytes)).toBe(
    true,
  );
  // The second host took the job over after the dead worker's lease ended (not by a second session).
  expect(second.output()).toContain('"event":"lease-takeover"');
  const log = emulator.inspect.requestLog();
  expect(log.filter((r) => r.route === "createUploadSession" && r.status === 200)).toHaveLength(1);
  const sessions = new Set(log.filter((r) => r.route === "uploadFragment").map((r) => r.path));
  expect(sessions.size).toBe(1);
}, 90_000);
