/**
 * The built-in local Functions host against real Azurite and the Graph emulator, running the app's real
 * registrations (compiled dist/): HTTP routes with the app's own validation, an octet-stream upload that goes
 * through staging, the queue trigger (one step per invocation, continuations through the output binding) to a
 * byte-identical file, and garbage on the wake queue (each kind in `<queue>-poison` once, with its reason).
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
    expect(out).toContain("uploadWake: queueTrigger on upload-wakes");
    expect(out).toContain("uploadWakePoison: queueTrigger on upload-wakes-poison");
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
    // One fragment per invocation: 4 fragments of 320 KiB for this size, each in its own uploadWake run.
    const steps = host.output().match(/"event":"step-written"[^\n]*"jobId":"[^"]+"/g) ?? [];
    expect(steps.length).toBeGreaterThanOrEqual(4);
  });

  it("sends every kind of garbage to <queue>-poison once, with the reason: one warning each, no errors", async () => {
    const queues = QueueServiceClient.fromConnectionString(azurite.connectionString);
    const garbage: Record<string, string> = {
      "not-base64": "not a wake message!",
      "not-json": Buffer.from("{not json", "utf8").toString("base64"),
      oversized: JSON.stringify({ jobId: "big", wakeSeq: 1, pad: "x".repeat(5_000) }),
      "unknown-fields": JSON.stringify({
        jobId: "job-x",
        wakeSeq: 1,
        uploadUrl: "https://up.example/s?tempauth=s3cr3t",
      }),
      "invalid-fields": JSON.stringify({ jobId: "job-x", wakeSeq: -1 }),
      "unknown-job": JSON.stringify({ jobId: "no-such-job", requestId: "no-such-request", wakeSeq: 0 }),
    };
    const before = host.output().length;
    for (const text of Object.values(garbage)) await queues.getQueueClient("upload-wakes").sendMessage(text);
    const seen = () =>
      host
        .output()
        .slice(before)
        .match(/"event":"poison-rejected-wake"/g)?.length ?? 0;
    await eventually(
      async () => (seen() >= 6 ? true : undefined),
      30_000,
      "the poison function to see six rejection records",
      200,
    );
    const out = host.output().slice(before);
    const warnings = out.split("\n").filter((line) => line.includes("warning:"));
    for (const reason of Object.keys(garbage)) {
      const lines = warnings.filter((line) => line.includes(`"reason":"${reason}"`));
      expect(lines, reason).toHaveLength(1);
      expect(lines[0]).toContain('"event":"wake-rejected"');
    }
    expect(warnings).toHaveLength(6);
    expect(seen()).toBe(6);
    expect(out).not.toContain("error:");
    expect(out).not.toContain("moving message");
    expect(out).not.toContain("s3cr3t");
    // The local host creates every trigger's poison queue up front, as the host may; it must stay empty.
    const poisonOfPoison = queues.getQueueClient("upload-wakes-poison-poison");
    expect(await poisonOfPoison.exists()).toBe(true);
    expect((await poisonOfPoison.getProperties()).approximateMessagesCount).toBe(0);
  });
});
