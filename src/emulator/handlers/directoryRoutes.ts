/** Users, sites and drives: `/me`, `/sites/...`, `/sites/{id}/drives`, `.../drive`. */
import { meUser, resolveSite } from "../access.js";
import type { SiteRecord, TokenRecord } from "../directory.js";
import { driveJson } from "../driveItemJson.js";
import type { DriveRef, SiteRef } from "../graphRouter.js";
import { json, type Reply } from "../http.js";
import { graphBaseFor } from "../publicNames.js";
import type { EmulatorState } from "../state.js";
import { page } from "./paging.js";
import { driveContext } from "./targets.js";

function siteJson(site: SiteRecord): unknown {
  const name = site.path === "/" ? "" : (site.path.split("/").pop() ?? "");
  return {
    id: site.id,
    name,
    displayName: site.displayName,
    webUrl: site.webUrl,
    siteCollection: { hostname: site.tenant.hostname },
    ...(site.path === "/" ? { root: {} } : {}),
  };
}

export function getMe(token: TokenRecord): Reply {
  const user = meUser(token);
  return json(200, {
    id: user.id,
    displayName: user.displayName,
    userPrincipalName: user.userPrincipalName,
    mail: user.userPrincipalName,
  });
}

export function getSite(state: EmulatorState, token: TokenRecord, ref: SiteRef): Reply {
  return json(200, siteJson(resolveSite(state, token, ref)));
}

export function listSiteDrives(state: EmulatorState, token: TokenRecord, ref: SiteRef, url: URL): Reply {
  const site = resolveSite(state, token, ref);
  const drives = site.drives.map((drive) => driveJson(drive, state.tree(drive)));
  return page(drives, url, state.limits.drivesPageSize, graphBaseFor(state, url));
}

export function getDrive(state: EmulatorState, token: TokenRecord, ref: DriveRef): Reply {
  const { drive, tree } = driveContext(state, token, ref);
  return json(200, driveJson(drive, tree));
}
