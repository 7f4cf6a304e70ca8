/**
 * Bearer tokens and what they may reach. Graph answers 401 InvalidAuthenticationToken without a valid token,
 * 403 accessDenied when the token lacks the permission (read-only tokens writing; Sites.Selected tokens outside
 * their sites), and 400 to `/me` from an app-only token ("/me request is only valid with delegated
 * authentication flow").
 */
import type { IncomingMessage } from "node:http";
import type { DriveRecord, SiteRecord, TokenRecord } from "./directory.js";
import { errors, GraphError } from "./errors.js";
import type { DriveRef, SiteRef } from "./graphRouter.js";
import type { EmulatorState } from "./state.js";

export function authenticate(state: EmulatorState, req: IncomingMessage): TokenRecord {
  const header = req.headers.authorization;
  const challenge = { "www-authenticate": 'Bearer realm="", error="invalid_token"' };
  if (!header)
    throw new GraphError(401, "InvalidAuthenticationToken", "Access token is empty.", undefined, challenge);
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  const token = match?.[1] === undefined ? undefined : state.directory.token(match[1]);
  if (!token) {
    throw new GraphError(
      401,
      "InvalidAuthenticationToken",
      "Access token validation failure.",
      undefined,
      challenge,
    );
  }
  return token;
}

export function assertCanWrite(token: TokenRecord): void {
  if (token.readOnly) throw errors.accessDenied("Access denied: the token only allows reading.");
}

function assertSiteAllowed(token: TokenRecord, site: SiteRecord | undefined): void {
  if (token.siteIds && (!site || !token.siteIds.has(site.id))) {
    throw errors.accessDenied("Access denied: the application has not been granted access to this site.");
  }
}

export function meUser(token: TokenRecord) {
  if (!token.user) {
    throw new GraphError(400, "BadRequest", "/me request is only valid with delegated authentication flow.");
  }
  return token.user;
}

export function resolveSite(state: EmulatorState, token: TokenRecord, ref: SiteRef): SiteRecord {
  const { directory } = state;
  let site: SiteRecord | undefined;
  switch (ref.kind) {
    case "root":
      site = directory.findSiteByPath(token.tenant.hostname, "/");
      break;
    case "hostname":
      site = directory.findSiteByPath(ref.hostname, "/");
      break;
    case "path":
      site = directory.findSiteByPath(ref.hostname, ref.path);
      break;
    case "id":
      site = directory.sites.get(ref.id.toLowerCase());
      break;
  }
  if (!site || site.tenant !== token.tenant) throw errors.itemNotFound("Requested site could not be found");
  assertSiteAllowed(token, site);
  return site;
}

export function resolveDrive(state: EmulatorState, token: TokenRecord, ref: DriveRef): DriveRecord {
  let drive: DriveRecord | undefined;
  switch (ref.kind) {
    case "me":
      drive = meUser(token).drive;
      break;
    case "user": {
      const user = state.directory.findUser(token.tenant, ref.user);
      if (!user) throw errors.itemNotFound("User not found");
      drive = user.drive;
      break;
    }
    case "site":
      drive = resolveSite(state, token, ref.site).drives[0];
      break;
    case "id": {
      drive = state.directory.drives.get(ref.driveId);
      if (drive && ref.site && drive.site !== resolveSite(state, token, ref.site)) drive = undefined;
      break;
    }
  }
  if (!drive || drive.tenant !== token.tenant) throw errors.itemNotFound("The drive could not be found.");
  assertSiteAllowed(token, drive.site);
  return drive;
}
