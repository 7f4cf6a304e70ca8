/** `@odata.nextLink` paging with an opaque-enough `$skiptoken` (the offset), as Graph pages collections. */
import { errors } from "../errors.js";
import { json, type Reply } from "../http.js";

export function page<T>(items: readonly T[], url: URL, pageSize: number, baseUrl: string): Reply {
  const token = url.searchParams.get("$skiptoken");
  const offset = token === null ? 0 : Number(Buffer.from(token, "base64url").toString("utf8"));
  if (!Number.isInteger(offset) || offset < 0) throw errors.invalidRequest("The $skiptoken is invalid.");
  const value = items.slice(offset, offset + pageSize);
  const next = offset + pageSize;
  const nextLink =
    next < items.length
      ? `${baseUrl}${url.pathname.replace(/^\/v1\.0/, "")}?$skiptoken=${Buffer.from(String(next)).toString("base64url")}`
      : undefined;
  return json(200, { value, ...(nextLink ? { "@odata.nextLink": nextLink } : {}) });
}
