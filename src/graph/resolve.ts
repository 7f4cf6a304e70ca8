/**
 * Destination resolution (docs/graph-protocol.md "Addressing"): a user's OneDrive via `/users/{u}/drive` (app-only works;
 * `/me/drive` does not), a SharePoint library via the site URL (`/sites/{host}:/{path}`; `/sites?search=` fails
 * under Sites.Selected), then `/sites/{id}/drives` over every `@odata.nextLink` page, matching the library by
 * `name` or by the last decoded segment of `webUrl`, case-insensitively.
 */

import type { Destination } from "../core/job/job.js";
import type { ResolvedDrive } from "../core/ports/graph.js";
import { GraphFailure } from "../core/ports/graphFailure.js";
import { decodedPathOf, siteByUrl } from "./addressing.js";
import { isRecord } from "./driveItem.js";
import type { GraphHttp } from "./http.js";

const MAX_PAGES = 100;

export async function resolveDrive(
  http: GraphHttp,
  destination: Destination,
  signal?: AbortSignal,
): Promise<ResolvedDrive> {
  switch (destination.type) {
    case "drive":
      return { driveId: destination.driveId };
    case "onedrive": {
      const url = `${http.baseUrl}/users/${encodeURIComponent(destination.user)}/drive`;
      const body = (await http.send({ method: "GET", url, route: "getUserDrive", host: "graph" }, signal))
        .json;
      return driveOf(body, "getUserDrive");
    }
    case "sharepoint":
      return resolveLibrary(http, destination.site, destination.library, signal);
  }
}

async function resolveLibrary(
  http: GraphHttp,
  site: string,
  library: string,
  signal?: AbortSignal,
): Promise<ResolvedDrive> {
  const siteUrl = new URL(site);
  const siteBody = (
    await http.send(
      { method: "GET", url: siteByUrl(http.baseUrl, siteUrl), route: "getSite", host: "graph" },
      signal,
    )
  ).json;
  const siteId = isRecord(siteBody) && typeof siteBody.id === "string" ? siteBody.id : undefined;
  if (!siteId) throw malformed("getSite");
  const wanted = library.toLowerCase();
  const seen: string[] = [];
  let url: string | undefined = `${http.baseUrl}/sites/${encodeURIComponent(siteId)}/drives`;
  for (let page = 0; url && page < MAX_PAGES; page++) {
    if (!http.isGraphUrl(url)) throw malformed("listDrives (nextLink left the Graph host)");
    const body: unknown = (
      await http.send({ method: "GET", url, route: "listDrives", host: "graph" }, signal)
    ).json;
    const drives = isRecord(body) && Array.isArray(body.value) ? body.value : [];
    for (const drive of drives) {
      if (!isRecord(drive) || typeof drive.id !== "string") continue;
      const name = typeof drive.name === "string" ? drive.name : "";
      const webUrl = typeof drive.webUrl === "string" ? drive.webUrl : undefined;
      const lastSegment = decodedPathOf(webUrl).split("/").pop() ?? "";
      seen.push(name || lastSegment);
      if (name.toLowerCase() === wanted || lastSegment.toLowerCase() === wanted) {
        return { driveId: drive.id, ...(webUrl ? { rootPath: decodedPathOf(webUrl) } : {}) };
      }
    }
    const next: unknown = isRecord(body) ? body["@odata.nextLink"] : undefined;
    url = typeof next === "string" ? next : undefined;
  }
  throw new GraphFailure({
    kind: "http",
    status: 404,
    codes: ["libraryNotFound"],
    message: `no library named "${library}" on ${siteUrl.origin}${siteUrl.pathname}; existing libraries: ${
      seen.length > 0 ? seen.join(", ") : "(none visible to these credentials)"
    }`,
  });
}

function driveOf(body: unknown, route: string): ResolvedDrive {
  if (!isRecord(body) || typeof body.id !== "string") throw malformed(route);
  const rootPath = decodedPathOf(typeof body.webUrl === "string" ? body.webUrl : undefined);
  return { driveId: body.id, ...(rootPath ? { rootPath } : {}) };
}

function malformed(route: string): GraphFailure {
  return new GraphFailure({ kind: "http", status: 502, message: `${route}: unexpected response shape` });
}
