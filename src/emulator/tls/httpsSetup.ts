/**
 * HTTPS mode of the emulator: where the local CA lives and which names the leaf certificate carries. The same
 * leaf serves both listeners, directly (localhost and the loopback addresses) and through the CONNECT proxy
 * (Graph's own name and every drive's SharePoint host, publicNames.ts).
 */
import path from "node:path";
import { publicHosts } from "../publicNames.js";
import { issueLeaf, type LeafCertificate, type LocalCa, loadOrCreateCa } from "./localCa.js";

/** `https: true` or where to keep the CA. */
export type HttpsOption = boolean | { readonly caDir?: string };

/** Folder of the CA: `caDir`, else `<dataDir>/tls`, else `.local/emulator-ca` under the working directory. */
export function caDirFor(https: HttpsOption, dataDir: string | undefined): string {
  if (typeof https === "object" && https.caDir) return path.resolve(https.caDir);
  if (dataDir) return path.join(path.resolve(dataDir), "tls");
  return path.resolve(".local", "emulator-ca");
}

export interface EmulatorTls {
  readonly ca: LocalCa;
  readonly leaf: LeafCertificate;
}

export async function prepareTls(
  caDir: string,
  listenHost: string,
  drives: Iterable<{ readonly webUrl: string }>,
): Promise<EmulatorTls> {
  const ca = await loadOrCreateCa(caDir);
  const names = ["localhost", "127.0.0.1", "::1", listenHost, ...publicHosts(drives)];
  return { ca, leaf: await issueLeaf(ca, names) };
}

/**
 * The host name upload URLs use when reached directly. Graph clients attach the bearer token by host name
 * (the Graph SDK's `customHosts` ignores ports), so the upload host must not share the Graph host's name, as
 * on the service (graph.microsoft.com vs *.sharepoint.com): with the default 127.0.0.1, uploads are on
 * `localhost`. Plain HTTP keeps one name (existing configurations name it).
 */
export function uploadHostName(listenHost: string, https: boolean): string {
  if (https && listenHost === "127.0.0.1") return "localhost";
  return listenHost.includes(":") ? `[${listenHost}]` : listenHost;
}
