/**
 * A mirror destination's stable key (manifest partition) and its human-readable label (history, logs, CLI).
 * Names are case-insensitive in SharePoint and OneDrive (docs/graph-protocol.md), so the key is lower-cased; the label keeps
 * the user's spelling and uses the CLI's destination string form (src/core/job/destinations.ts).
 */
import type { MirrorDestination } from "./definitionSchema.js";

/** The destination folder: starts and ends with `/`. */
export function folderOf(destination: MirrorDestination): string {
  const segments = destination.path.split("/").filter((s) => s !== "");
  return segments.length === 0 ? "/" : `/${segments.join("/")}/`;
}

export function destinationKey(destination: MirrorDestination): string {
  const folder = folderOf(destination).toLowerCase();
  switch (destination.type) {
    case "drive":
      return `drive|${destination.driveId}|${folder}`;
    case "onedrive":
      return `onedrive|${destination.user.toLowerCase()}|${folder}`;
    case "sharepoint":
      return `sharepoint|${siteUrl(destination.site).toLowerCase()}|${destination.library.toLowerCase()}|${folder}`;
  }
}

export function destinationLabel(destination: MirrorDestination): string {
  const folder = folderOf(destination);
  switch (destination.type) {
    case "drive":
      return `drive:${destination.driveId}:${folder}`;
    case "onedrive":
      return `onedrive:${destination.user}:${folder}`;
    case "sharepoint":
      return `sharepoint:${siteUrl(destination.site)}:${destination.library}:${folder}`;
  }
}

/** The site URL without a trailing slash, query or fragment. */
export function siteUrl(site: string): string {
  const url = new URL(site);
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, "")}`;
}
