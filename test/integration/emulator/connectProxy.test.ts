import { request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import {
  DEFAULT_DRIVE_IDS,
  DEFAULT_TOKEN,
  type RunningEmulator,
  startEmulator,
} from "../../../src/emulator/index.js";
import { patternBytes } from "../../support/emulator.js";
import { proxiedAgent, tempDir } from "../../support/emulatorTls.js";

const ops = DEFAULT_DRIVE_IDS.opsDocuments;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function proxiedEmulator(): Promise<{
  emu: RunningEmulator;
  dispatcher: ReturnType<typeof proxiedAgent>;
}> {
  const { dir, remove } = await tempDir("emu-proxy-");
  cleanups.push(remove);
  const emu = await startEmulator({ proxy: true, https: { caDir: dir } });
  cleanups.push(() => emu.close());
  if (!emu.proxyUrl || !emu.tls) throw new Error("proxy or tls missing");
  const dispatcher = proxiedAgent(emu.proxyUrl, emu.tls.caPem);
  cleanups.push(() => dispatcher.close());
  return { emu, dispatcher };
}

/** The proxy's answer to `CONNECT target` (status code only). */
function connectStatus(proxyUrl: string, target: string): Promise<number> {
  const { hostname, port } = new URL(proxyUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, method: "CONNECT", path: target });
    req.once("connect", (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.once("error", reject);
    req.end();
  });
}

describe("CONNECT proxy: the emulator as graph.microsoft.com (issues 17, 18)", () => {
  it("answers as graph.microsoft.com and hands out upload URLs on the drive's SharePoint host, reachable through it", async () => {
    const { emu, dispatcher } = await proxiedEmulator();
    const graph = "https://graph.microsoft.com/v1.0";
    const created = await fetch(`${graph}/drives/${ops}/root:/via-proxy.bin:/createUploadSession`, {
      method: "POST",
      headers: { authorization: `Bearer ${DEFAULT_TOKEN}`, "content-type": "application/json" },
      body: "{}",
      dispatcher,
    } as RequestInit);
    expect(created.status).toBe(200);
    const session = (await created.json()) as { uploadUrl: string; "@odata.context": string };
    expect(session["@odata.context"].startsWith(`${graph}/$metadata`)).toBe(true);
    expect(new URL(session.uploadUrl).origin).toBe("https://contoso.sharepoint.com");
    const bytes = patternBytes(2048, 3);
    const put = await fetch(session.uploadUrl, {
      method: "PUT",
      headers: { "content-range": "bytes 0-2047/2048" },
      body: bytes,
      dispatcher,
    } as RequestInit);
    expect(put.status).toBe(201);
    expect(emu.inspect.readItem(ops, "/via-proxy.bin")?.equals(bytes)).toBe(true);
    const hosts = emu.inspect.requestLog().map((r) => [r.host, r.route, r.hadAuthorization]);
    expect(hosts).toEqual([
      ["graph", "createUploadSession", true],
      ["upload", "uploadFragment", false],
    ]);
  });

  it("still serves direct clients their own upload URLs", async () => {
    const { emu } = await proxiedEmulator();
    expect(emu.graphBaseUrl.startsWith("https://127.0.0.1:")).toBe(true);
    expect(emu.uploadOrigin.startsWith("https://localhost:")).toBe(true);
  });

  it("refuses hosts and ports it does not serve: it never reaches the internet", async () => {
    const { emu } = await proxiedEmulator();
    const proxyUrl = emu.proxyUrl ?? "";
    expect(await connectStatus(proxyUrl, "graph.microsoft.com:443")).toBe(200);
    expect(await connectStatus(proxyUrl, "contoso-my.sharepoint.com:443")).toBe(200);
    expect(await connectStatus(proxyUrl, "example.com:443")).toBe(403);
    expect(await connectStatus(proxyUrl, "graph.microsoft.com:80")).toBe(403);
    expect(await connectStatus(proxyUrl, "login.microsoftonline.com:443")).toBe(403);
  });
});
