/**
 * Upload URLs are credentials (docs/design.md invariant 5): any text that may reach a log, an event, a JobError or an
 * HTTP answer goes through here. What it removes:
 * - absolute URLs: everything after the host (path, query, fragment) and any `user:password@`. SharePoint
 *   upload URLs carry `guid='...'` before `&tempauth=`, so a quote does not end a URL here; OneDrive's
 *   `https://*.up.1drv.com/up/{secret}` carries its secret in the path;
 * - `name=value` and `"name": "value"` pairs whose name says secret (`tempauth`, `sig`, tokens, client
 *   secrets, storage keys), wherever they appear: a relative URL, a form body, a connection string, JSON;
 * - `Bearer`/`Basic` credentials and bare JWTs (access tokens of the identity platform are JWTs).
 */
const SECRET_NAMES =
  "tempauth|access_token|refresh_token|id_token|client_secret|client_assertion|code_verifier|password|" +
  "sig|assertion|accountkey|sharedaccesssignature|sharedaccesskey|uploadurl";

const ABSOLUTE_URL = /\b(https?):\/\/(?:[^\s/?#"<>@]*@)?([^\s/?#"'<>@]+)[^\s"<>`]*/gi;
const NAME_VALUE = new RegExp(`\\b(${SECRET_NAMES})=[^&;\\s"'<>]+`, "gi");
const JSON_FIELD = new RegExp(`"(${SECRET_NAMES})"(\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, "gi");
const AUTH_SCHEME = /\b(bearer|basic)\s+[A-Za-z0-9\-._~+/]+=*/gi;
const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;

export function redactSecrets(text: string): string {
  return text
    .replace(ABSOLUTE_URL, "$1://$2/…")
    .replace(JSON_FIELD, '"$1"$2"…"')
    .replace(NAME_VALUE, "$1=…")
    .replace(AUTH_SCHEME, "$1 …")
    .replace(JWT, "…");
}
