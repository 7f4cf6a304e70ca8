/**
 * Graph URLs for drive items (GRAPH.md "Addressing"): every path segment is encoded on its own with
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
  const path = encodePath(decodeURIComponent(siteUrl.pathname));
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
