/**
 * The built-in local Functions host against real Azurite and the Graph emulator, running the app's real
 * registrations (compiled dist/): HTTP routes with the app's own validation, an octet-stream upload that goes
 * through staging, the queue trigger (one step per invocation, continuations through the output binding) to a
 * byte-identical file, and poison semantics (maxDequeueCount deliveries, then `<queue>-poison`).
 */
import { randomBytes } from "node:crypto";
import { QueueServiceClient } from "@azure/storage-queue";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEFAULT_DRIVE_IDS,
  DEFAULT_TOKEN,
  type RunningEmulator,
  startEmulator,
} from "../../../src/emulator/index.js";
import { type RunningAzurite, startAzurite } from "../../support/azurite.js";
import { ensureBuilt } from "../../support/builtApp.js";
import {
  appFolder,
  eventually,
  type LocalHostProcess,
  startLocalHostProcess,
} from "../../support/localHostProcess.js";

let azurite: RunningAzurite;
let emulator: RunningEmulator;
let host: LocalHostProcess;

beforeAll(async () => {
  await ensureBuilt();
  [azurite, emulator] = await Promise.all([startAzurite(), startEmulator()]);
  host = await startLocalHostProcess(appFolder({ visibilityTimeout: "00:00:00", maxPollingInterval: 200 }), {
    AzureWebJobsStorage: azurite.connectionString,
    GRAPH_BASE_URL: emulator.graphBaseUrl,
    GRAPH_ACCESS_TOKEN: DEFAULT_TOKEN,
    CHUNK_SIZE: "320KiB",
    SIMPLE_UPLOAD_MAX: "320KiB",
  });
});

afterAll(async () => {
  await host?.kill("SIGTERM");
  await Promise.all([emulator?.close(), azurite?.stop()]);
});

describe("local Functions host", () => {
  it("registers the app's real functions with their bindings", () => {
    const out = host.output();
    expect(out).toMatch(
      /createUpload: \[POST\] http:\/\/127\.0\.0\.1:\d+\/api\/uploads \(authLevel function\)/,
    );
    expect(out).toMatch(/getUpload: \[GET\] \S+\/api\/uploads\/\{id\} \(authLevel function\)/);
    expect(out).toMatch(/cancelUpload: \[DELETE\] \S+\/api\/uploads\/\{id\} \(authLevel function\)/);
    expect(out).toMatch(/health: \[GET\] \S+\/api\/health/);
    expect(out).toContain("uploadStep: queueTrigger on upload-steps");
    expect(out).toContain("uploadStepPoison: queueTrigger on upload-steps-poison");
    expect(out).toMatch(/uploadSweeper: timerTrigger "0 \*\/5 \* \* \* \*"/);
  });

  it("serves the HTTP API with the app's validation, 404 elsewhere", async () => {
    const bad = await fetch(`${host.baseUrl}/api/uploads`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        source: { type: "url", url: "https://169.254.169.254/metadata/identity/oauth2/token" },
        destinations: [{ type: "drive", driveId: "b!x", path: "/in/token.json" }],
      }),
    });
    expect(bad.status).toBe(400);
    const answer = (await bad.json()) as { error: { problems: { field: string }[] } };
    expect(answer.error.problems.map((p) => p.field)).toEqual(["source.url"]);
    expect((await fetch(`${host.baseUrl}/api/nothing-here`)).status).toBe(404);
    const health = await fetch(`${host.baseUrl}/api/health`);
    expect(health.status).toBe(200);
    const text = await health.text();
    expect(text).not.toContain(DEFAULT_TOKEN);
    expect(text).not.toContain("AccountKey");
  });

  it("uploads an octet-stream body through staging and the queue, byte-identical", async () => {
    const bytes = randomBytes(1024 * 1024 + 12345);
    const post = await fetch(
      `${host.baseUrl}/api/uploads?to=drive:${DEFAULT_DRIVE_IDS.opsDocuments}:/incoming/&name=blob.bin`,
      { method: "POST", headers: { "content-type": "application/octet-stream" }, body: bytes },
    );
    expect(post.status).toBe(202);
    const { statusUrl } = (await post.json()) as { statusUrl: string };
    // The first wake goes out through createUpload's queue output binding (which wakes the step listener at
    // once), not through the queue SDK.
    await eventually(
      async () =>
        /createUpload: 1 queue message\(s\) written by its output binding/.test(host.output())
          ? true
          : undefined,
      10_000,
      "createUpload's output binding to write the first wake",
    );
    const final = await eventually(
      async () => {
        const status = (await (await fetch(statusUrl)).json()) as {
          done: boolean;
          jobs: { status: string }[];
        };
        return status.done ? status : undefined;
      },
      30_000,
      "the upload to finish",
    );
    expect(final.jobs.map((j) => j.status)).toEqual(["completed"]);
    expect(JSON.stringify(final)).not.toContain(emulator.uploadOrigin);
    const stored = emulator.inspect.readItem(DEFAULT_DRIVE_IDS.opsDocuments, "/incoming/blob.bin");
    expect(stored?.equals(bytes)).toBe(true);
    // One fragment per invocation: 4 fragments of 320 KiB for this size, each in its own uploadStep run.
    const steps = host.output().match(/"event":"step-written"[^\n]*"jobId":"[^"]+"/g) ?? [];
    expect(steps.length).toBeGreaterThanOrEqual(4);
  });

  it("delivers a failing message maxDequeueCount times, then moves it to <queue>-poison", async () => {
    const queues = QueueServiceClient.fromConnectionString(azurite.connectionString);
    // Plain text on a base64 queue: the encoding mistake PLATFORM.md warns about; every delivery fails.
    const text = '{"jobId":"not-base64"}';
    await queues.getQueueClient("upload-steps").sendMessage(text);
    const poisonOfPoison = queues.getQueueClient("upload-steps-poison-poison");
    await eventually(
      async () => {
        const exists = await poisonOfPoison.exists();
        if (!exists) return undefined;
        const peeked = await poisonOfPoison.peekMessages({ numberOfMessages: 1 });
        return peeked.peekedMessageItems[0]?.messageText === text ? true : undefined;
      },
      30_000,
      "the message to pass through upload-steps-poison into upload-steps-poison-poison",
      200,
    );
    const out = host.output();
    for (const fn of ["uploadStep", "uploadStepPoison"]) {
      const counts = [
        ...out.matchAll(new RegExp(`\\] error: ${fn} failed \\(dequeue count (\\d)\\)`, "g")),
      ].map((m) => Number(m[1]));
      expect(counts).toEqual([1, 2, 3, 4, 5]);
    }
    expect(out).toContain("moving message");
  });
});
