/**
 * The local host's stand-in for the platform's built-in authentication (Easy Auth) as far as the functions see
 * it: on Azure, Easy Auth removes every client-supplied `x-ms-client-principal*` header and sets its own after
 * validating a token, so the functions may trust it (src/api/caller.ts). Locally nothing validates a token, so a
 * client-supplied principal is removed here too; only the documented dev setting LOCAL_DEV_PRINCIPAL makes the
 * host set one itself, the way Easy Auth would for a signed-in caller (docs/local-development.md).
 */
import type { IncomingHttpHeaders } from "node:http";
import { PRINCIPAL_HEADER } from "../api/caller.js";
import type { FieldProblem } from "../core/shared/validationError.js";

/** Easy Auth's own headers: x-ms-client-principal, -id, -name, -idp. */
const PLATFORM_HEADER_PREFIX = "x-ms-client-principal";

/** Removes client-supplied principal headers and, with a dev principal, sets the platform's header. */
export function applyPlatformPrincipal(headers: IncomingHttpHeaders, devPrincipalHeader: string | undefined) {
  for (const name of Object.keys(headers))
    if (name.toLowerCase().startsWith(PLATFORM_HEADER_PREFIX)) delete headers[name];
  if (devPrincipalHeader) headers[PRINCIPAL_HEADER] = devPrincipalHeader;
}

const FIELD = "LOCAL_DEV_PRINCIPAL";

/**
 * LOCAL_DEV_PRINCIPAL (`{"oid": "...", "appid": "...", "roles": ["Uploads.Write"]}`, oid or appid required) as
 * Easy Auth's header value: base64 JSON `{auth_typ, name_typ, role_typ, claims: [{typ, val}]}`.
 */
export function devPrincipalHeader(value: string | undefined, problems: FieldProblem[]): string | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    problems.push({ field: FIELD, rule: 'must be JSON: {"oid": "...", "roles": ["Uploads.Write"]}' });
    return undefined;
  }
  const { oid, appid, roles } = (parsed ?? {}) as { oid?: unknown; appid?: unknown; roles?: unknown };
  const ids = [oid, appid].filter((id) => id !== undefined);
  if (ids.length === 0 || !ids.every((id) => typeof id === "string" && id.trim() !== ""))
    problems.push({ field: FIELD, rule: "must name the caller by a non-empty oid or appid string" });
  if (roles !== undefined && !(Array.isArray(roles) && roles.every((r) => typeof r === "string")))
    problems.push({ field: FIELD, rule: "roles must be a list of app role names" });
  if (problems.some((p) => p.field === FIELD)) return undefined;
  const claims = [
    ...(typeof oid === "string"
      ? [{ typ: "http://schemas.microsoft.com/identity/claims/objectidentifier", val: oid }]
      : []),
    ...(typeof appid === "string" ? [{ typ: "appid", val: appid }] : []),
    ...((roles as string[] | undefined) ?? []).map((role) => ({ typ: "roles", val: role })),
  ];
  const principal = { auth_typ: "aad", name_typ: "name", role_typ: "roles", claims };
  return Buffer.from(JSON.stringify(principal)).toString("base64");
}
