/**
 * Upload URLs are credentials (docs/design.md invariant 5): any text that may reach a log, an event, a JobError or an
 * HTTP answer goes through here. What it removes:
 * - absolute URLs: everything after the host (path, query, fragment) and any `user:password@`. SharePoint
 *   upload URLs carry `guid='...'` before `&tempauth=`, so a quote does not end a URL here; OneDrive's
 *   `https://*.up.1drv.com/up/{secret}` carries its secret in the path. One exception: a plain SharePoint
 *   site URL (`/sites/...`, `/teams/...`, `/personal/...`, no query, no `_api`-style segment) is an address the
 *   user typed, not a secret, and a message that cuts it to `https://host/…` cannot say which site is meant
 *   (issue 15 item 5);
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

/**
 * A site URL's path: `/sites|teams|personal/<name>` and further plain segments. Segments starting with `_`
 * (`_api`, `_layouts`, `_vti_bin`: where SharePoint's upload and API URLs live) and anything followed by a
 * query, fragment or quote disqualify it.
 */
const SITE_PATH = /^\/(?:sites|teams|personal)(?:\/(?!_)[^\s/?#"'<>`&=;]+)+\/?$/i;

function redactUrl(url: string, scheme: string, host: string): string {
  // Punctuation that ends the sentence around the URL ("on https://.../sites/Ops; existing ...") is not part of it.
  const trailing = /[.,;:!)\]]+$/.exec(url)?.[0] ?? "";
  const bare = url.slice(0, url.length - trailing.length);
  const hostEnd = bare.indexOf(host, scheme.length + 3) + host.length;
  const hasUserInfo = bare.slice(scheme.length + 3, hostEnd).includes("@");
  if (!hasUserInfo && !/\.1drv\.com$/i.test(host) && SITE_PATH.test(bare.slice(hostEnd))) return url;
  return `${scheme}://${host}/…`;
}

export function redactSecrets(text: string): string {
  return text
    .replace(ABSOLUTE_URL, (url: string, scheme: string, host: string) => redactUrl(url, scheme, host))
    .replace(JSON_FIELD, '"$1"$2"…"')
    .replace(NAME_VALUE, "$1=…")
    .replace(AUTH_SCHEME, "$1 …")
    .replace(JWT, "…");
}
