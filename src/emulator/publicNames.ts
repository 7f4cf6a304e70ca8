/**
 * The names the emulator answers to. Directly it is `{graphBaseUrl}` and `{uploadOrigin}`; through the CONNECT
 * proxy (tls/connectProxy.ts) a client believes it talks to `https://graph.microsoft.com`, so links it follows
 * (`@odata.nextLink`) and upload URLs must use the names it reached us by: Graph's own, and for upload URLs the
 * drive's SharePoint host (as real upload URLs do), which the proxy forwards to the upload listener.
 */
import type { DriveRecord } from "./directory.js";
import type { EmulatorState } from "./state.js";

export const GRAPH_PUBLIC_HOST = "graph.microsoft.com";
const GRAPH_PUBLIC_BASE = `https://${GRAPH_PUBLIC_HOST}/v1.0`;

/** True when the request came through the proxy (its Host header names Graph itself). */
export function viaPublicName(url: URL): boolean {
  return url.hostname === GRAPH_PUBLIC_HOST;
}

/** The Graph base URL as this request's client knows it. */
export function graphBaseFor(state: EmulatorState, url: URL): string {
  return viaPublicName(url) ? GRAPH_PUBLIC_BASE : state.graphBaseUrl;
}

/** The SharePoint host a drive's upload URLs use through the proxy (the host of its webUrl). */
export function publicUploadHost(drive: { readonly webUrl: string }): string {
  return new URL(drive.webUrl).hostname;
}

/** The origin of upload URLs for a session on `drive`, as this request's client can reach them. */
export function uploadOriginFor(state: EmulatorState, url: URL, drive: DriveRecord): string {
  return viaPublicName(url) ? `https://${publicUploadHost(drive)}` : state.uploadOrigin;
}

/** Every public host the proxy serves and the leaf certificate names: Graph and each drive's SharePoint host. */
export function publicHosts(drives: Iterable<{ readonly webUrl: string }>): string[] {
  return [GRAPH_PUBLIC_HOST, ...new Set([...drives].map(publicUploadHost))];
}

/** Whether `origin` is one this emulator hands out upload URLs on (directly or through the proxy). */
export function isOwnUploadOrigin(state: EmulatorState, origin: string): boolean {
  if (origin === state.uploadOrigin) return true;
  if (!state.publicNames) return false;
  return [...state.directory.drives.values()].some((d) => origin === `https://${publicUploadHost(d)}`);
}
