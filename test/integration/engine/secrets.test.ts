/**
 * docs/design.md invariant 5 at the HTTP edge: a Graph or upload host that echoes the upload URL in its error body must
 * not put the URL's `tempauth` into the error a person or a log sees, and the Graph token goes to the Graph
 * origin only (never to the upload host, never to an `@odata.nextLink` on another host).
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { classifyFailure } from "../../../src/core/upload/errorClassification.js";
import { DEFAULT_POLICY } from "../../../src/core/upload/policy.js";
import { GraphClient } from "../../../src/graph/client.js";

const TOKEN = "graph-token-0123456789";
const TEMPAUTH = "eyJ0eXAiOiJKV1QifQ.eyJhdWQiOiJ1cGxvYWQifQ.c2VjcmV0LXRlbXBhdXRo";

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

const servers: Server[] = [];

async function serve(answer: (url: string, origin: string) => { status: number; body: string }) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
    req.resume();
    req.on("end", () => {
      const { status, body } = answer(req.url ?? "", origin);
      res.writeHead(status, { "content-type": "application/json", "request-id": "rid-1" });
      res.end(body);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, seen };
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

function client(graphOrigin: string): GraphClient {
  return new GraphClient({
    baseUrl: `${graphOrigin}/v1.0`,
    tokens: { getToken: async () => TOKEN },
    requestTimeoutMs: 5_000,
  });
}

describe("secrets at the Graph HTTP edge", () => {
  it("keeps an echoed SharePoint upload URL (with guid='...') out of the failure and the job error", async () => {
    const graph = await serve(() => ({ status: 500, body: "{}" }));
    const upload = await serve((url, origin) => ({
      status: 400,
      body: JSON.stringify({
        // A server echoes the URL decoded, as SharePoint shows it: with its `guid='...'` quotes.
        error: {
          code: "invalidRequest",
          message: `Invalid Content-Range for ${origin}${decodeURIComponent(url)}`,
        },
      }),
    }));
    const uploadUrl = `${upload.origin}/_api/v2.0/drives/b!x/items/01/uploadSession?guid='0f1e'&overwrite=True&dc=0&tempauth=${TEMPAUTH}`;
    const failure = await client(graph.origin)
      .uploadFragment(uploadUrl, { start: 0, bytes: new Uint8Array(4), total: 8 })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(failure).toBeInstanceOf(Error);
    const message = (failure as Error).message;
    expect(message).toContain("invalidRequest");
    expect(message).not.toContain(TEMPAUTH);
    expect(message).not.toContain("tempauth=eyJ");

    const decision = classifyFailure(failure, "fragment", {
      retries: 0,
      badRequestResyncs: 0,
      now: 0,
      random: () => 0.5,
      policy: DEFAULT_POLICY,
    });
    expect(JSON.stringify(decision)).not.toContain(TEMPAUTH);

    expect(upload.seen).toHaveLength(1);
    expect(upload.seen[0]?.headers.authorization).toBeUndefined();
    expect(graph.seen).toHaveLength(0);
  });

  it("refuses to follow an @odata.nextLink to another host with the token", async () => {
    const elsewhere = await serve(() => ({ status: 200, body: JSON.stringify({ value: [] }) }));
    const graph = await serve((url) => {
      if (url.startsWith("/v1.0/sites/contoso.sharepoint.com")) {
        return { status: 200, body: JSON.stringify({ id: "site-1" }) };
      }
      return {
        status: 200,
        body: JSON.stringify({
          value: [],
          "@odata.nextLink": `${elsewhere.origin}/v1.0/sites/site-1/drives?page=2`,
        }),
      };
    });
    await expect(
      client(graph.origin).resolveDrive({
        type: "sharepoint",
        site: "https://contoso.sharepoint.com/sites/Ops",
        library: "Documents",
        path: "/a.txt",
      }),
    ).rejects.toThrow(/nextLink left the Graph host/);
    expect(elsewhere.seen).toHaveLength(0);
    expect(graph.seen.every((s) => s.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });
});
