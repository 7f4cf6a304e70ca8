/**
 * The emulator's per-request latency (issue 17 item 5, docs/emulator.md "Latency"): every Graph and upload request
 * is answered no sooner than `latencyMs` after its last byte arrived (after its arrival when it has no body), once
 * per request whatever its size; the control API is not delayed and can change the value at run time. Lower bounds
 * only: a loaded machine may add time, never remove it.
 */
import { request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { startEmulatorCommand } from "../../../src/cli/commands/emulator.js";
import { ConfigError } from "../../../src/core/shared/validationError.js";
import {
  DEFAULT_DRIVE_IDS,
  DEFAULT_TOKEN,
  type RunningEmulator,
  startEmulator,
} from "../../../src/emulator/index.js";
import { createSession, patternBytes, putFragment, startTestEmulator } from "../../support/emulator.js";
import { proxiedAgent, tempDir } from "../../support/emulatorTls.js";

const ops = DEFAULT_DRIVE_IDS.opsDocuments;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

const getDrive = (emu: RunningEmulator) =>
  fetch(`${emu.graphBaseUrl}/drives/${ops}`, { headers: { authorization: `Bearer ${DEFAULT_TOKEN}` } });

function controlUrl(emu: RunningEmulator, path: string): string {
  return emu.graphBaseUrl.replace(/\/v1\.0$/, `/_emulator/${path}`);
}

describe("emulator latency (a modelled WAN round trip)", () => {
  it("answers a Graph request and each upload fragment no sooner than latencyMs after it arrived", async () => {
    const emu = await startTestEmulator({ latencyMs: 200 });
    cleanups.push(() => emu.close());
    const drive = await timed(() => getDrive(emu));
    expect(drive.value.status).toBe(200);
    expect(drive.ms).toBeGreaterThanOrEqual(200);
    const created = await timed(() => createSession(emu, ops, "/two.bin"));
    expect(created.ms).toBeGreaterThanOrEqual(200);
    // Two fragments of 320 KiB: each request waits once, not once per byte or per network chunk.
    const bytes = patternBytes(2 * 327_680, 5);
    for (const first of [0, 327_680]) {
      const put = await timed(() =>
        putFragment(created.value, bytes.subarray(first, first + 327_680), first, bytes.length),
      );
      expect(put.value.status).toBe(first === 0 ? 202 : 201);
      await put.value.arrayBuffer();
      expect(put.ms).toBeGreaterThanOrEqual(200);
    }
    expect(emu.inspect.readItem(ops, "/two.bin")?.equals(bytes)).toBe(true);
    expect(emu.inspect.requestLog().map((r) => r.route)).toEqual([
      "getDrive",
      "createUploadSession",
      "uploadFragment",
      "uploadFragment",
    ]);
  });

  it("counts the round trip from a fragment's last byte, not its arrival: a slow body still waits it whole", async () => {
    const emu = await startTestEmulator({ latencyMs: 200 });
    cleanups.push(() => emu.close());
    const uploadUrl = await createSession(emu, ops, "/slow.bin");
    const bytes = patternBytes(327_680, 9);
    const half = bytes.length / 2;
    // The first half goes at once, the second 300 ms later (longer than the latency): under a model that counted
    // from the arrival the answer could follow the last byte at once; a real round trip cannot.
    const answered = await new Promise<{ status: number; afterLastByte: number }>((resolve, reject) => {
      const req = request(uploadUrl, {
        method: "PUT",
        headers: {
          "content-length": bytes.length,
          "content-range": `bytes 0-${bytes.length - 1}/${bytes.length}`,
        },
      });
      let lastByteSent = 0;
      req.on("response", (res) => {
        res.resume();
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, afterLastByte: performance.now() - lastByteSent }),
        );
      });
      req.on("error", reject);
      req.write(bytes.subarray(0, half));
      setTimeout(() => {
        req.end(bytes.subarray(half), () => {
          lastByteSent = performance.now();
        });
      }, 300);
    });
    expect(answered.status).toBe(201);
    expect(answered.afterLastByte).toBeGreaterThanOrEqual(195);
    expect(emu.inspect.readItem(ops, "/slow.bin")?.equals(bytes)).toBe(true);
    expect(emu.inspect.requestLog().map((r) => r.route)).toEqual(["createUploadSession", "uploadFragment"]);
  });

  it("a reset pays the round trip too: the client learns of it no sooner than an answer would have come", async () => {
    const emu = await startTestEmulator({ latencyMs: 200 });
    cleanups.push(() => emu.close());
    const uploadUrl = await createSession(emu, ops, "/reset.bin");
    emu.faults.add({ match: { route: "uploadFragment" }, fault: { type: "resetMidBody", afterBytes: 1000 } });
    const bytes = patternBytes(327_680, 3);
    const reset = await timed(() =>
      putFragment(uploadUrl, bytes, 0, bytes.length).catch((err: unknown) => err),
    );
    expect(reset.value).toBeInstanceOf(Error);
    expect(reset.ms).toBeGreaterThanOrEqual(195);
    expect(emu.inspect.requestLog().map((r) => [r.route, r.status])).toEqual([
      ["createUploadSession", 200],
      ["uploadFragment", 0],
    ]);
  });

  it("delays requests that reach it through the CONNECT proxy too", async () => {
    const { dir, remove } = await tempDir("emu-latency-");
    cleanups.push(remove);
    const emu = await startEmulator({ proxy: true, https: { caDir: dir }, latencyMs: 200 });
    cleanups.push(() => emu.close());
    const dispatcher = proxiedAgent(emu.proxyUrl ?? "", emu.tls?.caPem ?? "");
    cleanups.push(() => dispatcher.close());
    const res = await timed(() =>
      fetch(`https://graph.microsoft.com/v1.0/drives/${ops}`, {
        headers: { authorization: `Bearer ${DEFAULT_TOKEN}` },
        dispatcher,
      } as RequestInit),
    );
    expect(res.value.status).toBe(200);
    expect(res.ms).toBeGreaterThanOrEqual(200);
    expect(emu.inspect.requestLog()).toHaveLength(1);
  });

  it("is read and set through the control API, which itself is not delayed", async () => {
    const emu = await startEmulator({ latencyMs: 50 });
    cleanups.push(() => emu.close());
    const read = await fetch(controlUrl(emu, "latency"));
    expect(await read.json()).toEqual({ ms: 50 });
    const set = await fetch(controlUrl(emu, "latency"), { method: "PUT", body: JSON.stringify({ ms: 300 }) });
    expect(set.status).toBe(200);
    expect(await set.json()).toEqual({ ms: 300 });
    const drive = await timed(() => getDrive(emu));
    expect(drive.ms).toBeGreaterThanOrEqual(300);
    for (const ms of [-1, 1.5, "10", 600_001, 1e9]) {
      const bad = await fetch(controlUrl(emu, "latency"), { method: "PUT", body: JSON.stringify({ ms }) });
      expect(bad.status, String(ms)).toBe(400);
    }
    expect(await (await fetch(controlUrl(emu, "latency"))).json()).toEqual({ ms: 300 });
    // Control requests are neither logged nor delayed; only the one Graph request is in the log.
    expect(emu.inspect.requestLog()).toHaveLength(1);
  });

  it("rejects a negative or fractional latencyMs before anything starts", async () => {
    await expect(startEmulator({ latencyMs: -1 })).rejects.toBeInstanceOf(ConfigError);
    await expect(startEmulator({ latencyMs: 2.5 })).rejects.toThrow(/latencyMs/);
    await expect(startEmulator({ latencyMs: 600_001 })).rejects.toThrow(/from 0 to 600000/);
  });

  it("graph-mirror emulator --latency-ms: validated, shown in the banner, applied", async () => {
    const base = { port: "0", uploadPort: "0", host: "127.0.0.1" };
    await expect(startEmulatorCommand({ ...base, latencyMs: "fast" })).rejects.toThrow(/--latency-ms/);
    await expect(startEmulatorCommand({ ...base, latencyMs: "700000" })).rejects.toThrow(/--latency-ms/);
    const { emulator, banner } = await startEmulatorCommand({ ...base, latencyMs: "150" });
    cleanups.push(() => emulator.close());
    expect(banner).toContain("Latency        : 150 ms per request");
    const drive = await timed(() => getDrive(emulator));
    expect(drive.value.status).toBe(200);
    expect(drive.ms).toBeGreaterThanOrEqual(150);
  });
});
