/**
 * The HTML page a gateway in front of SharePoint answers with instead of Graph's JSON error. Field report:
 * OneDrive/onedrive-api-docs#757, a 503 from OneDrive for Business whose body was a "Sharepoint Online" HTML
 * page; docs/graph-protocol.md "A gateway in front of the service can answer with an HTML body". A client must not assume an
 * error body parses as JSON.
 */
import type { Reply } from "./http.js";

const REASONS: Readonly<Record<number, string>> = {
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

export function gatewayHtmlReply(status: number, headers: Readonly<Record<string, string>>): Reply {
  const reason = REASONS[status] ?? "Error";
  const page = Buffer.from(
    `<!DOCTYPE html><html xml:lang="en" xmlns="http://www.w3.org/1999/xhtml"><head>` +
      `<meta http-equiv="Content-Type" content="text/html; charset=UTF-8"/><title>Sharepoint Online</title></head>` +
      `<body><div class="title">${status} ${reason}</div>` +
      `<p>Sorry, something went wrong. The service is temporarily unavailable.</p></body></html>`,
  );
  return {
    kind: "bytes",
    status,
    length: page.length,
    pieces: [page],
    headers: { ...headers, "content-type": "text/html; charset=utf-8" },
  };
}
