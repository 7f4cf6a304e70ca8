/**
 * Microsoft's Graph JavaScript SDK (`@microsoft/microsoft-graph-client` 3.0.7) pointed at the emulator over
 * HTTPS, the way a developer would: `baseUrl` at the emulator, its Graph host in `customHosts` (the SDK only
 * sends its token to Graph hosts and custom hosts, matched by host name), and the local CA trusted through an
 * undici dispatcher in `fetchOptions` (Node's global fetch is the one the SDK calls).
 */
import { Client, type FetchOptions } from "@microsoft/microsoft-graph-client";
import type { Agent } from "undici";
import type { RunningEmulator } from "../../src/emulator/index.js";

export function graphSdkClient(emu: RunningEmulator, token: string, dispatcher: Agent): Client {
  const base = new URL(emu.graphBaseUrl);
  // The dispatcher is an undici extension of RequestInit that the SDK passes through to fetch untouched.
  const fetchOptions = { dispatcher } as FetchOptions;
  return Client.init({
    authProvider: (done) => done(null, token),
    baseUrl: `${base.origin}/`,
    defaultVersion: "v1.0",
    customHosts: new Set([base.hostname]),
    fetchOptions,
  });
}
