/**
 * Clients for the emulator's HTTPS mode and its CONNECT proxy, trusting only the emulator's local CA (never
 * NODE_TLS_REJECT_UNAUTHORIZED): undici dispatchers for Node's global fetch.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Agent, ProxyAgent } from "undici";

/** A fetch dispatcher that trusts `caPem` (and nothing else is changed). */
export function trustingAgent(caPem: string): Agent {
  return new Agent({ connect: { ca: caPem } });
}

/** A dispatcher that tunnels every https request through the CONNECT proxy at `proxyUrl`, trusting `caPem`. */
export function proxiedAgent(proxyUrl: string, caPem: string): ProxyAgent {
  return new ProxyAgent({ uri: proxyUrl, requestTls: { ca: caPem } });
}

/** A temporary folder, removed by the returned function. */
export async function tempDir(prefix: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
