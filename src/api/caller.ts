/**
 * Who is calling the HTTP API (issue 12 item 3), as the platform's built-in authentication (Easy Auth) says:
 * it validates the Entra ID token and passes the principal to the function in `x-ms-client-principal` (base64
 * JSON with the token's claims). On Azure, Easy Auth removes any client-supplied copy of that header, so it can
 * be trusted only where the platform sets it; elsewhere the host must strip it (the local host does, unless its
 * documented dev setting makes it play the platform's part).
 *
 * The caller is named by object id (users, service principals) or app id (`appid`/`azp`), never by a token.
 * The handlers call it through src/api/authorize.ts when API_AUTH=entra.
 */

export const PRINCIPAL_HEADER = "x-ms-client-principal";

/** The app roles of the API's app registration. */
export const ROLES = { write: "Uploads.Write", read: "Uploads.Read" } as const;
export type ApiRole = (typeof ROLES)[keyof typeof ROLES];

export interface Caller {
  readonly objectId?: string;
  readonly appId?: string;
  readonly roles: readonly string[];
}

export type CallerCheck =
  | { readonly ok: true; readonly caller: Caller }
  | { readonly ok: false; readonly status: 401 | 403; readonly message: string };

interface PrincipalJson {
  readonly auth_typ?: unknown;
  readonly role_typ?: unknown;
  readonly claims?: unknown;
}

const OBJECT_ID_CLAIMS = ["http://schemas.microsoft.com/identity/claims/objectidentifier", "oid"];
const APP_ID_CLAIMS = ["appid", "azp"];

/** The principal in the header, or undefined when it is absent or not the platform's shape. */
export function parseClientPrincipal(header: string | null | undefined): Caller | undefined {
  if (!header) return undefined;
  let json: PrincipalJson;
  try {
    json = JSON.parse(Buffer.from(header, "base64").toString("utf8")) as PrincipalJson;
  } catch {
    return undefined;
  }
  // `null` or a bare value decodes too: only an object with a claims array is a principal.
  if (typeof json !== "object" || json === null || !Array.isArray(json.claims)) return undefined;
  const claims = json.claims.flatMap((c: unknown) => {
    const claim = c as { typ?: unknown; val?: unknown } | null;
    return typeof claim?.typ === "string" && typeof claim.val === "string"
      ? [{ typ: claim.typ, val: claim.val }]
      : [];
  });
  const roleType = typeof json.role_typ === "string" ? json.role_typ : "roles";
  const first = (types: readonly string[]) => claims.find((c) => types.includes(c.typ))?.val;
  const objectId = first(OBJECT_ID_CLAIMS);
  const appId = first(APP_ID_CLAIMS);
  return {
    ...(objectId ? { objectId } : {}),
    ...(appId ? { appId } : {}),
    roles: claims.filter((c) => c.typ === roleType || c.typ === "roles").map((c) => c.val),
  };
}

/** 401 without a principal, 403 without the role; the caller otherwise. */
export function checkCaller(header: string | null | undefined, role: ApiRole): CallerCheck {
  const caller = parseClientPrincipal(header);
  if (!caller || (!caller.objectId && !caller.appId))
    return { ok: false, status: 401, message: "sign in with Microsoft Entra ID (no validated caller)" };
  if (!caller.roles.includes(role))
    return { ok: false, status: 403, message: `the caller lacks the app role ${role}` };
  return { ok: true, caller };
}

/** How the caller is recorded (job rows, status answers, history): an id, never a token or a name. */
export function callerLabel(caller: Caller): string {
  return caller.objectId ? `oid:${caller.objectId}` : `appid:${caller.appId ?? "unknown"}`;
}
