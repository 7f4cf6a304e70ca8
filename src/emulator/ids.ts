/**
 * Deterministic identifiers shaped like Graph's, so seeds produce the same drive and site ids on every run and
 * tests can hard-code them through the constants in seed.ts.
 * - Site id: `{hostname},{siteCollectionGuid},{webGuid}` (what `/sites/{hostname}:/{path}` returns).
 * - Drive id: `b!` + base64url of the site collection, web and list GUIDs (SharePoint and OneDrive for Business).
 */
import { createHash } from "node:crypto";

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

function guidFromBytes(bytes: Buffer): string {
  const hex = bytes.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export function guidFrom(text: string): string {
  return guidFromBytes(digest(text));
}

export function siteIdFor(hostname: string, sitePath: string): string {
  const key = `${hostname.toLowerCase()}|${sitePath.toLowerCase()}`;
  return `${hostname.toLowerCase()},${guidFrom(`site|${key}`)},${guidFrom(`web|${key}`)}`;
}

export function driveIdFor(hostname: string, sitePath: string, libraryName: string): string {
  const key = `${hostname.toLowerCase()}|${sitePath.toLowerCase()}`;
  const bytes = Buffer.concat([
    digest(`site|${key}`).subarray(0, 16),
    digest(`web|${key}`).subarray(0, 16),
    digest(`list|${key}|${libraryName.toLowerCase()}`).subarray(0, 16),
  ]);
  return `b!${bytes.toString("base64url")}`;
}

/** OneDrive for Business lives on the tenant's `-my` host under `/personal/{upn with . and @ as _}`. */
export function personalHostFor(hostname: string): string {
  const lower = hostname.toLowerCase();
  return lower.endsWith(".sharepoint.com")
    ? lower.replace(/\.sharepoint\.com$/, "-my.sharepoint.com")
    : `my.${lower}`;
}

export function personalSitePathFor(userPrincipalName: string): string {
  return `/personal/${userPrincipalName.toLowerCase().replace(/[@.]/g, "_")}`;
}

export function oneDriveIdFor(hostname: string, userPrincipalName: string): string {
  return driveIdFor(personalHostFor(hostname), personalSitePathFor(userPrincipalName), "Documents");
}

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** Item ids like SharePoint's: `01` followed by 32 base32 characters. */
export function itemIdFor(driveId: string, serial: number): string {
  const bytes = digest(`item|${driveId}|${serial}`);
  let out = "01";
  for (let i = 0; i < 32; i++) out += BASE32[(bytes[i] ?? 0) % 32];
  return out;
}
