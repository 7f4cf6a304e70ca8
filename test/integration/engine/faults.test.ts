import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quickXorHashOf } from "../../../src/core/shared/quickXorHash.js";
import type { Fault, RouteName } from "../../../src/emulator/index.js";
import { DRIVE, drive, fragmentBytesSent, jobFor, KIB320, startWorld, type World } from "./support.js";

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world.close();
});

const SIZE = 3 * KIB320 + 4321;
let counter = 0;

async function uploadWithFault(route: RouteName, fault: Fault, nth = 2, requestTimeoutMs = 30_000) {
  const name = `fault-${++counter}.bin`;
  const { path, bytes } = await world.file(name, SIZE);
  const dest = `/faults/${name}`;
  world.emu.inspect.clearLog();
  const handle = world.emu.faults.add({ match: { route, nth }, fault });
  const run = await drive(
    jobFor(path, { type: "drive", driveId: DRIVE, path: dest }, { simpleUploadMax: 0 }),
    world.deps({}, requestTimeoutMs),
  );
  handle.remove();
  return { run, bytes, dest, stored: world.emu.inspect.readItem(DRIVE, dest), hits: handle.hits };
}

function expectIdentical(r: Awaited<ReturnType<typeof uploadWithFault>>) {
  expect(r.hits).toBe(1);
  expect(r.run.job.status, JSON.stringify(r.run.job.lastError)).toBe("completed");
  expect(r.run.job.result?.quickXorHash).toBe(quickXorHashOf(r.bytes));
  expect(r.stored?.equals(r.bytes)).toBe(true);
}

describe("each injected fault ends byte-identical or failed with a reason", () => {
  it("429 with Retry-After waits exactly that long, then resumes from the status", async () => {
    const r = await uploadWithFault("uploadFragment", { type: "status", status: 429, retryAfterSeconds: 7 });
    expectIdentical(r);
    expect(r.run.waits).toEqual([7000]);
    expect(r.run.results.some((x) => x.throttleDriveUntil?.driveId === DRIVE)).toBe(true);
  });

  it("503 with an HTTP-date Retry-After and a larger RateLimit-Reset waits for the larger", async () => {
    const r = await uploadWithFault("uploadFragment", {
      type: "status",
      status: 503,
      retryAfterDate: new Date(world.clock.now() + 5_000).toUTCString(),
      rateLimitResetSeconds: 40,
    });
    expectIdentical(r);
    expect(r.run.waits).toEqual([40_000]);
  });

  it("429 without Retry-After backs off with jitter", async () => {
    const r = await uploadWithFault("createUploadSession", { type: "status", status: 429 }, 1);
    expectIdentical(r);
    expect(r.run.waits).toEqual([750]);
  });

  it.each([500, 502, 504])("%i on a fragment: backoff, status, resend what is missing", async (status) => {
    const r = await uploadWithFault("uploadFragment", { type: "status", status });
    expectIdentical(r);
    expect(r.run.waits).toHaveLength(1);
    // The refused fragment is sent again; nothing else is.
    expect(fragmentBytesSent(world.emu)).toBe(SIZE + KIB320);
    expect(world.emu.inspect.requestLog().filter((x) => x.route === "uploadStatus")).toHaveLength(1);
  });

  it("a fragment that landed although its response failed is not re-sent", async () => {
    const r = await uploadWithFault("uploadFragment", { type: "storeThenFail" });
    expectIdentical(r);
    expect(fragmentBytesSent(world.emu)).toBe(SIZE + 0);
    expect(r.run.events.some((e) => e.type === "resynced" && e.to === 2 * KIB320)).toBe(true);
  });

  it("the last fragment landed although its response failed: verified, not re-sent", async () => {
    const r = await uploadWithFault("uploadFragment", { type: "storeThenFail" }, 4);
    expectIdentical(r);
    expect(fragmentBytesSent(world.emu)).toBe(SIZE);
    expect(r.run.job.attempts.sessions).toBe(1);
  });

  it("a connection reset after part of the body: resend from the server's offset", async () => {
    const r = await uploadWithFault("uploadFragment", { type: "partialThenReset", bytes: 100_000 }, 2, 3_000);
    expectIdentical(r);
    expect(r.run.events.some((e) => e.type === "resynced" && e.to === KIB320 + 100_000)).toBe(true);
  });

  it("a reset mid-body with nothing stored", async () => {
    const r = await uploadWithFault("uploadFragment", { type: "resetMidBody" }, 2, 3_000);
    expectIdentical(r);
    // A reset surfaces as a network error (or, if the socket lingers, as the request deadline).
    expect(
      r.run.events.some(
        (e) => e.type === "retrying" && (e.reason === "network-error" || e.reason === "timeout"),
      ),
    ).toBe(true);
    expect(fragmentBytesSent(world.emu)).toBeGreaterThanOrEqual(SIZE);
  });

  it("a request that outlives its deadline times out and is retried", async () => {
    const r = await uploadWithFault("uploadFragment", { type: "delay", ms: 3_000 }, 2, 1_000);
    expectIdentical(r);
    expect(r.run.events.some((e) => e.type === "retrying" && e.reason === "timeout")).toBe(true);
  });

  it("a 5xx on the status request backs off and asks again", async () => {
    world.emu.faults.add({
      match: { route: "uploadStatus", nth: 1 },
      fault: { type: "status", status: 500 },
    });
    const r = await uploadWithFault("uploadFragment", { type: "status", status: 502 });
    expectIdentical(r);
    expect(r.run.waits).toHaveLength(2);
  });

  it("416 resyncs from the status without waiting", async () => {
    const r = await uploadWithFault("uploadFragment", { type: "status", status: 416, code: "invalidRange" });
    expectIdentical(r);
    expect(r.run.waits).toEqual([]);
  });

  it("an expired session (404) starts a new session from byte 0", async () => {
    const r = await uploadWithFault("uploadFragment", { type: "expireSession" }, 3);
    expectIdentical(r);
    expect(r.run.job.attempts.sessions).toBe(2);
    expect(r.run.events).toContainEqual({
      type: "session-recreated",
      reason: "session-not-found",
      sessionNumber: 2,
    });
  });

  it.each([401, 403])("%i on the upload URL starts a new session", async (status) => {
    const r = await uploadWithFault("uploadFragment", { type: "status", status });
    expectIdentical(r);
    expect(r.run.job.attempts.sessions).toBe(2);
  });

  it("423 locked backs off for minutes and keeps the session", async () => {
    const r = await uploadWithFault("uploadFragment", { type: "lock" });
    expectIdentical(r);
    expect(r.run.waits[0]).toBeGreaterThanOrEqual(45_000);
    expect(r.run.job.attempts.sessions).toBe(1);
  });

  it("400 resyncs once and then succeeds", async () => {
    const r = await uploadWithFault("uploadFragment", {
      type: "status",
      status: 400,
      code: "invalidRequest",
    });
    expectIdentical(r);
  });

  it("507 fails with a clear reason and cancels the session", async () => {
    const r = await uploadWithFault("uploadFragment", { type: "quotaFull" });
    expect(r.run.job.status).toBe("failed");
    expect(r.run.job.lastError).toMatchObject({ code: "quota-exceeded", httpStatus: 507 });
    expect(r.run.job.lastError?.message).toMatch(/quota/);
    expect(world.emu.inspect.requestLog().some((x) => x.route === "uploadCancel")).toBe(true);
    expect(r.stored).toBeUndefined();
  });

  it("409 when the name exists under --conflict fail", async () => {
    const { path } = await world.file("conflict.bin", SIZE);
    world.emu.inspect.putItem(DRIVE, "/faults/conflict.bin", Buffer.from("someone else's"));
    const run = await drive(
      jobFor(
        path,
        { type: "drive", driveId: DRIVE, path: "/faults/conflict.bin" },
        { simpleUploadMax: 0, conflict: "fail" },
      ),
      world.deps(),
    );
    expect(run.job.status).toBe("failed");
    expect(run.job.lastError?.code).toBe("name-conflict");
    expect(world.emu.inspect.readItem(DRIVE, "/faults/conflict.bin")?.toString()).toBe("someone else's");
  });

  it("413 on simple upload falls back to a session", async () => {
    const { path, bytes } = await world.file("small413.bin", 5000);
    world.emu.faults.add({ match: { route: "simpleUpload" }, fault: { type: "status", status: 413 } });
    const run = await drive(
      jobFor(path, { type: "drive", driveId: DRIVE, path: "/faults/small413.bin" }),
      world.deps(),
    );
    expect(run.job.status).toBe("completed");
    expect(world.emu.inspect.readItem(DRIVE, "/faults/small413.bin")?.equals(bytes)).toBe(true);
  });

  it("a 401 from the Graph host refreshes the token once and retries", async () => {
    const { path, bytes } = await world.file("refresh.bin", 100);
    let calls = 0;
    const tokens = {
      async getToken(options?: { forceRefresh?: boolean }) {
        calls++;
        return options?.forceRefresh ? "dev-token" : "stale-token";
      },
    };
    const run = await drive(
      jobFor(path, { type: "drive", driveId: DRIVE, path: "/faults/refresh.bin" }),
      world.deps({}, 30_000, tokens),
    );
    expect(run.job.status).toBe("completed");
    expect(calls).toBe(2);
    expect(world.emu.inspect.readItem(DRIVE, "/faults/refresh.bin")?.equals(bytes)).toBe(true);
  });

  it("never sent Authorization to the upload host and never logged a failure message with the URL", () => {
    const log = world.emu.inspect.requestLog();
    expect(log.filter((r) => r.host === "upload").every((r) => !r.hadAuthorization)).toBe(true);
  });
});
