/**
 * CLI destination strings (issue 3; `drive:` is fixed, outside scripts depend on it):
 *   drive:<driveId>:<path>                      a drive by id
 *   onedrive:<upn-or-user-id>:<path>            a user's OneDrive (`/users/{u}/drive`)
 *   sharepoint:<site URL>:<library>:<path>      a library of a SharePoint site, e.g.
 *     sharepoint:https://contoso.sharepoint.com/sites/Ops:Documents:/reports/
 * A path ending in `/` (or empty) means "into this folder, keeping the file's name". Names cannot contain `:`
 * (docs/graph-protocol.md), so `:` separates fields safely; the site URL's own `https:` and an optional port are recognised.
 */

import { ConfigError } from "../shared/validationError.js";
import type { Destination } from "./job.js";

export type DestinationTarget =
  | { readonly type: "drive"; readonly driveId: string }
  | { readonly type: "onedrive"; readonly user: string }
  | { readonly type: "sharepoint"; readonly site: string; readonly library: string };

export interface DestinationSpec {
  readonly target: DestinationTarget;
  /** Starts with `/`. When `intoFolder`, the folder; otherwise the full path with the file name. */
  readonly path: string;
  readonly intoFolder: boolean;
}

const FIELD = "--to";

export function parseDestination(text: string): DestinationSpec {
  const colon = text.indexOf(":");
  const kind = colon < 0 ? "" : text.slice(0, colon).toLowerCase();
  const rest = text.slice(colon + 1);
  switch (kind) {
    case "drive": {
      const [driveId, path] = splitOnce(rest);
      if (!driveId) fail("drive:<driveId>:<path> needs a drive id");
      return { target: { type: "drive", driveId }, ...normalisePath(path) };
    }
    case "onedrive": {
      const [user, path] = splitOnce(rest);
      if (!user) fail("onedrive:<user>:<path> needs a user principal name or id");
      return { target: { type: "onedrive", user }, ...normalisePath(path) };
    }
    case "sharepoint": {
      const match = /^(https:\/\/[^/:]+(?::\d+)?(?:\/[^:]*)?):([^:]*)(?::(.*))?$/i.exec(rest);
      if (!match) fail("sharepoint:<https site URL>:<library>:<path> needs an https:// site URL");
      const site = (match[1] ?? "").replace(/\/+$/, "");
      const library = (match[2] ?? "").trim();
      if (!library) fail("sharepoint:<site URL>:<library>:<path> needs a library name, e.g. Documents");
      return { target: { type: "sharepoint", site, library }, ...normalisePath(match[3] ?? "") };
    }
    default:
      return fail(
        "must be drive:<driveId>:<path>, onedrive:<user>:<path> or sharepoint:<site URL>:<library>:<path>",
      );
  }
}

/** The concrete destination for one local file name. */
export function destinationFor(spec: DestinationSpec, fileName: string): Destination {
  const path = spec.intoFolder ? `${spec.path}${fileName}` : spec.path;
  switch (spec.target.type) {
    case "drive":
      return { type: "drive", driveId: spec.target.driveId, path };
    case "onedrive":
      return { type: "onedrive", user: spec.target.user, path };
    case "sharepoint":
      return { type: "sharepoint", site: spec.target.site, library: spec.target.library, path };
  }
}

function splitOnce(text: string): [string, string] {
  const i = text.indexOf(":");
  return i < 0 ? [text.trim(), ""] : [text.slice(0, i).trim(), text.slice(i + 1)];
}

function normalisePath(raw: string): { path: string; intoFolder: boolean } {
  const trimmed = raw.trim();
  const withSlash = trimmed.startsWith("/") ? trimmed : `/${trimmed}`;
  const collapsed = withSlash.replace(/\/{2,}/g, "/");
  return { path: collapsed, intoFolder: collapsed.endsWith("/") };
}

function fail(rule: string): never {
  throw new ConfigError([{ field: FIELD, rule }], "destination");
}
