/**
 * The key of a destination item for the one-job-per-destination rule (issue 16). SharePoint and OneDrive names
 * are case-insensitive (docs/graph-protocol.md), so the path, user, site and library are lower-cased; drive ids are opaque and
 * kept as given. The same item addressed two ways (a drive id, and the site and library it belongs to) gets two
 * keys: resolving every address to its drive would cost a Graph call at submission time.
 */
import type { Destination } from "./job.js";

export function destinationItemKey(destination: Destination): string {
  const path = destination.path.replace(/\/+/g, "/").toLowerCase();
  switch (destination.type) {
    case "drive":
      return `drive|${destination.driveId}|${path}`;
    case "onedrive":
      return `onedrive|${destination.user.toLowerCase()}|${path}`;
    case "sharepoint":
      return `sharepoint|${destination.site.replace(/\/+$/, "").toLowerCase()}|${destination.library.toLowerCase()}|${path}`;
  }
}
