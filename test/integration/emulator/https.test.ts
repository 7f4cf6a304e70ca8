import { stat } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import { quickXorHashOf } from "../../../src/core/shared/quickXorHash.js";
import {
  DEFAULT_DRIVE_IDS,
  DEFAULT_TOKEN,
  type RunningEmulator,
  startEmulator,
} from "../../../src/emulator/index.js";
import { patternBytes } from "../../support/emulator.js";
import { tempDir, trustingAgent } from "../../support/emulatorTls.js";

const ops = DEFAULT_DRIVE_IDS.opsDocuments;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function started(options: Parameters<typeof startEmulator>[0]): Promise<RunningEmulator> {
  const emu = await startEmulator(options);
  cleanups.push(() => emu.close());
  return emu;
}

async function caDir(): Promise<string> {
  const { dir, remove } = await tempDir("emu-ca-");
  cleanups.push(remove);
  return dir;
}

describe("emulator over HTTPS (issue 18)", () => {
  it("serves both hosts over TLS with a certificate from its local CA, uploads on a name other than Graph's", async () => {
    const emu = await started({ https: { caDir: await caDir() } });
    expect(emu.graphBaseUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/v1\.0$/);
    // The Graph SDK attaches its token by host name (customHosts ignore ports): uploads must live elsewhere.
    expect(emu.uploadOrigin).toMatch(/^https:\/\/localhost:\d+$/);
    const tls = emu.tls;
    if (!tls) throw new Error("no tls info");
    const dispatcher = trustingAgent(tls.caPem);
    cleanups.push(() => dispatcher.close());
    const headers = { authorization: `Bearer ${DEFAULT_TOKEN}`, "content-type": "application/json" };
    const created = await fetch(`${emu.graphBaseUrl}/drives/${ops}/root:/tls-a.bin:/createUploadSession`, {
      method: "POST",
      headers,
      body: JSON.stringify({ item: { "@microsoft.graph.conflictBehavior": "replace" } }),
      dispatcher,
    } as RequestInit);
    expect(created.status).toBe(200);
    const { uploadUrl } = (await created.json()) as { uploadUrl: string };
    expect(uploadUrl.startsWith(`${emu.uploadOrigin}/up/`)).toBe(true);
    const bytes = patternBytes(1000, 7);
    const put = await fetch(uploadUrl, {
      method: "PUT",
      headers: { "content-range": `bytes 0-999/1000` },
      body: bytes,
      dispatcher,
    } as RequestInit);
    expect(put.status).toBe(201);
    expect(emu.inspect.readItem(ops, "/tls-a.bin")?.equals(bytes)).toBe(true);
    expect(emu.inspect.items(ops).find((i) => i.path === "/tls-a.bin")?.quickXorHash).toBe(
      quickXorHashOf(bytes),
    );
  });

  it("is refused by a client that does not trust the local CA (the TLS is real)", async () => {
    const emu = await started({ https: { caDir: await caDir() } });
    const error = await fetch(`${emu.graphBaseUrl}/me`).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(TypeError);
    const cause = (error as { cause?: { code?: string } }).cause;
    expect(cause?.code).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|UNABLE_TO_GET_ISSUER/);
  });

  it("creates the CA once and keeps it: a restart on the same folder serves a leaf from the same CA", async () => {
    const dir = await caDir();
    const first = await started({ https: { caDir: dir } });
    const firstCa = first.tls?.caPem;
    await first.close();
    const second = await started({ https: { caDir: dir } });
    expect(second.tls?.caPem).toBe(firstCa);
    expect(second.tls?.caPath).toBe(`${dir}/ca.pem`);
    const key = await stat(`${dir}/ca-key.pem`);
    expect(key.mode & 0o077).toBe(0);
    const dispatcher = trustingAgent(second.tls?.caPem ?? "");
    cleanups.push(() => dispatcher.close());
    const me = await fetch(`${second.graphBaseUrl}/drives/${ops}`, {
      headers: { authorization: `Bearer ${DEFAULT_TOKEN}` },
      dispatcher,
    } as RequestInit);
    expect(me.status).toBe(200);
  });

  it("two emulators creating the same CA folder at once end up with one CA", async () => {
    const dir = await caDir();
    const [a, b] = await Promise.all([
      started({ https: { caDir: dir } }),
      started({ https: { caDir: dir } }),
    ]);
    expect(a.tls?.caPem).toBe(b.tls?.caPem);
  });

  it("stays plain HTTP by default", async () => {
    const emu = await started({});
    expect(emu.graphBaseUrl.startsWith("http://127.0.0.1:")).toBe(true);
    expect(emu.uploadOrigin.startsWith("http://127.0.0.1:")).toBe(true);
    expect(emu.tls).toBeUndefined();
  });
});
