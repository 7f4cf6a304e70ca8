/**
 * Graph URLs for drive items (docs/graph-protocol.md "Addressing"): every path segment is encoded on its own with
 * encodeURIComponent and `/` is kept between segments (`#` -> %23, `%` -> %25, space -> %20); the whole
 * path is never encoded at once.
 */
export function encodePath(path: string): string {
  return path
    .split("/")
    .filter((segment) => segment !== "")
    .map((segment) => encodeURIComponent(segment))
    .join("/");
}

/** `{base}/drives/{driveId}/root:/{path}` plus an optional `:/suffix` (e.g. `content`, `createUploadSession`). */
export function itemByPathUrl(baseUrl: string, driveId: string, path: string, suffix?: string): string {
  const item = `${baseUrl}/drives/${encodeURIComponent(driveId)}/root:/${encodePath(path)}`;
  return suffix ? `${item}:/${suffix}` : item;
}

/** `{base}/sites/{hostname}:/{server-relative path}`, or `{base}/sites/{hostname}` for a root site. */
export function siteByUrl(baseUrl: string, siteUrl: URL): string {
  const path = siteUrl.pathname
    .split("/")
    .filter((segment) => segment !== "")
    .map((segment) => encodeURIComponent(decodeSegment(segment)))
    .join("/");
  const host = encodeURIComponent(siteUrl.hostname);
  return path ? `${baseUrl}/sites/${host}:/${path}` : `${baseUrl}/sites/${host}`;
}

/** The decoded server-relative path of a web URL (`/sites/Ops/Shared Documents`), or "" when unreadable. */
export function decodedPathOf(webUrl: string | undefined): string {
  if (!webUrl) return "";
  try {
    return decodeURIComponent(new URL(webUrl).pathname).replace(/\/+$/, "");
  } catch {
    return "";
  }
}

/**
 * Decodes the valid escapes of a path segment. A `%` not followed by two hex digits is a literal `%` in a URL
 * the WHATWG parser accepted, where decodeURIComponent would throw on the whole segment: keep it as it is.
 */
function decodeSegment(segment: string): string {
  return segment.replace(/(?:%[0-9a-f]{2})+/gi, (escapes) => {
    try {
      return decodeURIComponent(escapes);
    } catch {
      return escapes;
    }
  });
}
