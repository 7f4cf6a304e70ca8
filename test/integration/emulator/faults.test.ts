import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_DRIVE_IDS } from "../../../src/emulator/index.js";
import {
  createSession,
  patternBytes,
  putFragment,
  startTestEmulator,
  type TestEmulator,
} from "../../support/emulator.js";

const KIB320 = 327_680;
const ops = DEFAULT_DRIVE_IDS.opsDocuments;

async function ranges(url: string): Promise<string[]> {
  const res = await fetch(url);
  return ((await res.json()) as { nextExpectedRanges: string[] }).nextExpectedRanges;
}

async function errorOf(res: Response): Promise<{ code: string; inner?: string }> {
  const body = (await res.json()) as {
    error: { code: string; innerError?: { code?: string }; innererror?: { code?: string } };
  };
  return { code: body.error.code, inner: body.error.innerError?.code ?? body.error.innererror?.code };
}

describe("emulator fault injection", () => {
  let emu: TestEmulator;

  beforeEach(async () => {
    emu = await startTestEmulator();
  });
  afterEach(async () => {
    await emu.close();
  });

  it("throttles the nth fragment with 429 and Retry-After seconds, storing nothing", async () => {
    const rule = emu.faults.add({
      match: { route: "uploadFragment", nth: 2 },
      fault: { type: "status", status: 429, retryAfterSeconds: 7 },
    });
    const url = await createSession(emu, ops, "/throttled.bin");
    const total = KIB320 * 3;
    expect((await putFragment(url, Buffer.alloc(KIB320), 0, total)).status).toBe(202);
    const throttled = await putFragment(url, Buffer.alloc(KIB320), KIB320, total);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toBe("7");
    expect(throttled.headers.get("request-id")).toBeTruthy();
    expect((await errorOf(throttled)).code).toBe("activityLimitReached");
    expect(rule.hits).toBe(1);
    expect(await ranges(url)).toEqual([`${KIB320}-`]);
    expect((await putFragment(url, Buffer.alloc(KIB320), KIB320, total)).status).toBe(202);
    expect(rule.hits).toBe(1);
  });

  it("sends Retry-After as an HTTP-date and RateLimit-* headers when asked", async () => {
    const when = new Date(emu.clock.now() + 30_000);
    emu.faults.add({
      match: { route: "getDrive" },
      fault: { type: "status", status: 503, retryAfterDate: when.toISOString() },
    });
    emu.faults.add({
      match: { route: "getRoot" },
      fault: { type: "status", status: 429, rateLimitResetSeconds: 12 },
    });
    const unavailable = await emu.graph(`/drives/${ops}`);
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get("retry-after")).toBe(when.toUTCString());
    expect((await errorOf(unavailable)).code).toBe("serviceNotAvailable");
    const limited = await emu.graph(`/drives/${ops}/root`);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBeNull();
    expect(limited.headers.get("ratelimit-limit")).toBeTruthy();
    expect(limited.headers.get("ratelimit-remaining")).toBe("0");
    expect(limited.headers.get("ratelimit-reset")).toBe("12");
  });

  it("answers 500, 502 and 504 with Graph codes, matched by method, path and count", async () => {
    emu.faults.add({
      match: { method: "GET", pathIncludes: "/flaky", times: 3 },
      fault: { type: "status", status: 500 },
    });
    emu.inspect.putItem(ops, "/flaky.txt", Buffer.from("x"));
    for (let i = 0; i < 3; i++) {
      const res = await emu.graph(`/drives/${ops}/root:/flaky.txt`);
      expect(res.status).toBe(500);
      expect((await errorOf(res)).code).toBe("generalException");
    }
    expect((await emu.graph(`/drives/${ops}/root:/flaky.txt`)).status).toBe(200);
    emu.faults.add({ match: { route: "getItem" }, fault: { type: "status", status: 502 } });
    emu.faults.add({
      match: { route: "getItem", nth: 2 },
      fault: { type: "status", status: 504, code: "custom" },
    });
    expect((await emu.graph(`/drives/${ops}/root:/flaky.txt`)).status).toBe(502);
    const timeout = await emu.graph(`/drives/${ops}/root:/flaky.txt`);
    expect(timeout.status).toBe(504);
    expect((await errorOf(timeout)).code).toBe("custom");
  });

  it("fires forever with times: Infinity until removed or cleared", async () => {
    const rule = emu.faults.add({
      match: { route: "getDrive", times: Number.POSITIVE_INFINITY },
      fault: { type: "lock" },
    });
    for (let i = 0; i < 4; i++) {
      const res = await emu.graph(`/drives/${ops}`);
      expect(res.status).toBe(423);
      expect(await errorOf(res)).toEqual({ code: "notAllowed", inner: "resourceLocked" });
    }
    expect(rule.hits).toBe(4);
    rule.remove();
    expect((await emu.graph(`/drives/${ops}`)).status).toBe(200);
    emu.faults.add({ match: { route: "getDrive" }, fault: { type: "quotaFull" } });
    emu.faults.clear();
    expect((await emu.graph(`/drives/${ops}`)).status).toBe(200);
  });

  it("answers 507 quotaLimitReached and 423 locked on fragments", async () => {
    emu.faults.add({ match: { route: "uploadFragment" }, fault: { type: "quotaFull" } });
    emu.faults.add({ match: { route: "uploadFragment", nth: 2 }, fault: { type: "lock" } });
    const url = await createSession(emu, ops, "/q.bin");
    const full = await putFragment(url, Buffer.alloc(10), 0, 10);
    expect(full.status).toBe(507);
    expect((await errorOf(full)).code).toBe("quotaLimitReached");
    expect((await putFragment(url, Buffer.alloc(10), 0, 10)).status).toBe(423);
    expect((await putFragment(url, Buffer.alloc(10), 0, 10)).status).toBe(201);
  });

  it("storeThenFail stores the fragment and answers 500", async () => {
    emu.faults.add({ match: { route: "uploadFragment" }, fault: { type: "storeThenFail" } });
    const url = await createSession(emu, ops, "/stored.bin");
    const res = await putFragment(url, Buffer.alloc(KIB320), 0, KIB320 * 2);
    expect(res.status).toBe(500);
    expect((await errorOf(res)).code).toBe("generalException");
    expect(await ranges(url)).toEqual([`${KIB320}-`]);
  });

  it("storeThenFail on the final fragment completes the file, then the session is gone", async () => {
    emu.faults.add({ match: { route: "uploadFragment" }, fault: { type: "storeThenFail" } });
    const url = await createSession(emu, ops, "/landed.bin");
    const res = await putFragment(url, Buffer.from("landed"), 0, 6);
    expect(res.status).toBe(500);
    expect((await fetch(url)).status).toBe(404);
    expect(emu.inspect.readItem(ops, "/landed.bin")?.toString()).toBe("landed");
  });

  it("partialThenReset keeps the first N bytes and resets the connection", async () => {
    emu.faults.add({
      match: { route: "uploadFragment" },
      fault: { type: "partialThenReset", bytes: KIB320 },
    });
    const url = await createSession(emu, ops, "/partial.bin");
    const bytes = patternBytes(KIB320 * 2, 11);
    await expect(putFragment(url, bytes, 0, KIB320 * 3)).rejects.toThrow();
    expect(await ranges(url)).toEqual([`${KIB320}-`]);
    const rest = await putFragment(url, patternBytes(KIB320 * 3, 11).subarray(KIB320), KIB320, KIB320 * 3);
    expect(rest.status).toBe(201);
    expect(
      emu.inspect.readItem(ops, "/partial.bin")?.subarray(0, KIB320).equals(bytes.subarray(0, KIB320)),
    ).toBe(true);
    const logged = emu.inspect.requestLog().find((r) => r.route === "uploadFragment");
    expect(logged?.status).toBe(0);
  });

  it("resetMidBody stores nothing (fragments and simple uploads)", async () => {
    emu.faults.add({ match: { route: "uploadFragment" }, fault: { type: "resetMidBody" } });
    emu.faults.add({ match: { route: "simpleUpload" }, fault: { type: "resetMidBody", afterBytes: 1000 } });
    const url = await createSession(emu, ops, "/reset.bin");
    await expect(putFragment(url, Buffer.alloc(KIB320 * 4), 0, KIB320 * 5)).rejects.toThrow();
    expect(await ranges(url)).toEqual(["0-"]);
    await expect(
      emu.graph(`/drives/${ops}/root:/simple-reset.bin:/content`, {
        method: "PUT",
        body: Buffer.alloc(100_000),
      }),
    ).rejects.toThrow();
    expect(emu.inspect.item(ops, "/simple-reset.bin")).toBeUndefined();
    expect((await putFragment(url, Buffer.alloc(KIB320 * 5), 0, KIB320 * 5)).status).toBe(201);
  });

  it("expires a session on demand (404 itemNotFound)", async () => {
    const url = await createSession(emu, ops, "/expire.bin");
    emu.faults.add({ match: { route: "uploadStatus" }, fault: { type: "expireSession" } });
    const res = await fetch(url);
    expect(res.status).toBe(404);
    expect((await errorOf(res)).code).toBe("itemNotFound");
    expect((await putFragment(url, Buffer.alloc(1), 0, 1)).status).toBe(404);
  });

  it("delays answers past a client's deadline, and close() cuts pending delays short", async () => {
    emu.faults.add({ match: { route: "getDrive" }, fault: { type: "delay", ms: 5_000 } });
    await expect(emu.graph(`/drives/${ops}`, { signal: AbortSignal.timeout(100) })).rejects.toThrow();
    emu.faults.add({ match: { route: "getRoot" }, fault: { type: "delay", ms: 60_000 } });
    const pending = emu.graph(`/drives/${ops}/root`).catch((err: unknown) => err);
    await new Promise((resolve) => setImmediate(resolve));
    const started = Date.now();
    await emu.close();
    expect(await pending).toBeInstanceOf(Error);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("applies faults to simple uploads: storeThenFail keeps the file", async () => {
    emu.faults.add({ match: { route: "simpleUpload" }, fault: { type: "storeThenFail" } });
    const res = await emu.graph(`/drives/${ops}/root:/kept.txt:/content`, { method: "PUT", body: "kept" });
    expect(res.status).toBe(500);
    expect(emu.inspect.readItem(ops, "/kept.txt")?.toString()).toBe("kept");
  });

  it("rejects malformed fault rules naming the field", () => {
    expect(() =>
      emu.faults.add({ match: { route: "nope" as "getDrive" }, fault: { type: "status", status: 429 } }),
    ).toThrow(/match\.route/);
    expect(() => emu.faults.add({ match: {}, fault: { type: "status", status: 200 } })).toThrow(
      /fault\.status/,
    );
  });
});
