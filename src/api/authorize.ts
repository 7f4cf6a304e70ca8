/**
 * The upload routes' caller check, by API_AUTH (src/config/httpApi.ts). Called first in each handler, so a
 * refused caller gets its 401/403 before any body is read, anything is stored or a message is enqueued.
 *
 * `functionKey`: the Functions host has already checked the key; callers are not named (the principal header,
 * if any, is ignored: without Easy Auth in front nothing vouches for it). `entra`: the platform's built-in
 * authentication has validated the token and passed the principal (src/api/caller.ts); the handler needs the
 * route's app role and records the caller as `oid:…` or `appid:…`, never the token or the raw header.
 */
import type { HttpRequest, HttpResponse } from "@azure/functions";
import type { ApiAuthMode } from "../config/httpApi.js";
import { type ApiRole, callerLabel, checkCaller, PRINCIPAL_HEADER } from "./caller.js";
import { errorAnswer } from "./httpAnswers.js";

export type Authorization =
  | { readonly ok: true; readonly requestedBy?: string }
  | { readonly ok: false; readonly answer: HttpResponse };

export function authorize(request: HttpRequest, mode: ApiAuthMode, role: ApiRole): Authorization {
  if (mode === "functionKey") return { ok: true };
  const check = checkCaller(request.headers.get(PRINCIPAL_HEADER), role);
  if (check.ok) return { ok: true, requestedBy: callerLabel(check.caller) };
  return check.status === 401
    ? {
        ok: false,
        answer: errorAnswer(401, "unauthorized", check.message, {
          "WWW-Authenticate": 'Bearer realm="graph-mirror"',
        }),
      }
    : { ok: false, answer: errorAnswer(403, "forbidden", check.message) };
}
