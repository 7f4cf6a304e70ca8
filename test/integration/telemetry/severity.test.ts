/**
 * Operators see failures: through the real Functions adapters with a real InvocationContext (the level reaches
 * the host as `warning`/`error`, Application Insights severity 2/3), a failed job, a poisoned message and a
 * throttled request each produce a warning/error record naming the job, request, drive, error code and Graph
 * request-id, with no token, upload URL or `tempauth` in it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_TOKEN, type RunningEmulator, startEmulator } from "../../../src/emulator/index.js";
import { poisonHandler } from "../../../src/functions/poison.js";
import { CHUNK, DRIVE, installApp, type LogRecord } from "./world.js";

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu?.close();
});

function records(
  logs: readonly LogRecord[],
  event: string,
): { level: string; body: Record<string, unknown> }[] {
  return logs
    .map((l) => ({ level: l.level, body: JSON.parse(l.text) as Record<string, unknown> }))
    .filter((r) => r.body.event === event);
}

function expectNoSecret(logs: readonly LogRecord[], uploadUrl?: string): void {
  const text = logs.map((l) => l.text).join("\n");
  expect(text).not.toContain(DEFAULT_TOKEN);
  expect(text.toLowerCase()).not.toContain("tempauth");
  expect(text).not.toContain("Bearer");
  if (uploadUrl) expect(text).not.toContain(new URL(uploadUrl).pathname);
}

describe("warning and error records for what an operator must act on", () => {
  it("a failed job is an error record with job, drive, code and Graph request-id", async () => {
    const app = installApp(emu);
    try {
      emu.faults.add({ match: { route: "createUploadSession" }, fault: { type: "status", status: 403 } });
      const done = await app.runToEnd(await app.createJob("denied", 2 * CHUNK));
      expect(done.status).toBe("failed");
      const [failed, ...more] = records(app.logs, "job-failed");
      expect(more).toEqual([]);
      expect(failed?.level).toBe("error");
      expect(failed?.body).toMatchObject({
        jobId: done.jobId,
        requestId: done.requestId,
        drive: DRIVE,
        code: done.lastError?.code,
        httpStatus: 403,
        graphRequestId: expect.any(String),
      });
      expectNoSecret(app.logs);
    } finally {
      app.close();
    }
  });

  it("a 429 is a warning with the delay and Graph's request-id", async () => {
    const app = installApp(emu);
    try {
      emu.faults.add({
        match: { route: "uploadFragment", nth: 1 },
        fault: { type: "status", status: 429, retryAfterSeconds: 5 },
      });
      let uploadUrl: string | undefined;
      const done = await app.runToEnd(await app.createJob("throttled", 2 * CHUNK), (row) => {
        uploadUrl ??= row.session?.uploadUrl;
      });
      expect(done.status).toBe("completed");
      const throttled = records(app.logs, "graph-throttled");
      expect(throttled.length).toBeGreaterThanOrEqual(1);
      expect(throttled[0]?.level).toBe("warning");
      expect(throttled[0]?.body).toMatchObject({
        jobId: done.jobId,
        drive: DRIVE,
        code: "throttled",
        httpStatus: 429,
        delayMs: 5000,
        graphRequestId: expect.any(String),
      });
      const drive = records(app.logs, "drive-throttled");
      expect(drive.map((r) => r.level)).toEqual(drive.map(() => "warning"));
      expect(records(app.logs, "job-failed")).toEqual([]);
      expectNoSecret(app.logs, uploadUrl);
    } finally {
      app.close();
    }
  });

  it("a poisoned message fails its job with error records", async () => {
    const app = installApp(emu);
    try {
      const job = await app.createJob("poisoned", CHUNK);
      await poisonHandler(
        { jobId: job.jobId, requestId: job.requestId, wakeSeq: 0 },
        app.context("uploadWakePoison"),
      );
      const poisoned = records(app.logs, "job-poisoned");
      expect(poisoned.map((r) => r.level)).toEqual(["error"]);
      expect(poisoned[0]?.body).toMatchObject({ jobId: job.jobId, requestId: job.requestId });
      const failed = records(app.logs, "job-failed");
      expect(failed.map((r) => r.level)).toEqual(["error"]);
      expect(failed[0]?.body).toMatchObject({ jobId: job.jobId, drive: DRIVE, code: "poisoned" });
      expectNoSecret(app.logs);
    } finally {
      app.close();
    }
  });
});
