/** The `url` source of a mirror against a real TLS server on loopback (allowed explicitly, as a user would). */
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { generate } from "selfsigned";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { globFilter } from "../../../src/mirror/globFilter.js";
import { UrlLister } from "../../../src/mirror/sources/urlLister.js";
import { createNetworkPolicy } from "../../../src/sources/networkGuard.js";
import { UrlSource } from "../../../src/sources/urlSource.js";

let server: Server;
let ca: string;
let port: number;

beforeAll(async () => {
  const tls = await generate([{ name: "commonName", value: "localhost" }], {
    keySize: 2048,
    extensions: [{ name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }] }],
  });
  ca = tls.cert;
  server = createServer({ key: tls.private, cert: tls.cert }, (req, res) => {
    if (req.url?.startsWith("/missing")) {
      res.writeHead(404).end();
      return;
    }
    const body = Buffer.from(`content of ${req.url}`);
    res
      .writeHead(206, { etag: '"v7"', "content-range": `bytes 0-0/${body.length}` })
      .end(body.subarray(0, 1));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe("UrlLister", () => {
  it("names files by URL or given name, fingerprints them, and reports an unreachable URL without stopping", async () => {
    const base = `https://127.0.0.1:${port}`;
    const policy = createNetworkPolicy(["127.0.0.0/8"]);
    const lister = new UrlLister(
      [
        { url: `${base}/reports/daily%20report.csv?sig=secret` },
        { url: `${base}/api/status`, name: "status.json" },
        { url: `${base}/missing.txt?sig=secret` },
        { url: `${base}/skip.tmp` },
      ],
      (url) => new UrlSource(url, { policy, ca, timeoutMs: 5_000 }),
      globFilter(["**"], ["*.tmp"]),
    );
    const listing = await lister.list(AbortSignal.timeout(10_000));
    expect(listing.entries.map((e) => [e.path, e.fingerprint.version])).toEqual([
      ["daily report.csv", 'etag:"v7"'],
      ["status.json", 'etag:"v7"'],
    ]);
    expect(listing.errors).toHaveLength(1);
    expect(listing.errors[0]).toContain(`${base}/missing.txt`);
    expect(listing.errors[0]).not.toContain("secret");
  });

  it("refuses loopback URLs unless their network is allowed", async () => {
    const lister = new UrlLister(
      [{ url: `https://127.0.0.1:${port}/a.txt` }],
      (url) => new UrlSource(url, { policy: createNetworkPolicy([]), ca, timeoutMs: 5_000 }),
    );
    const listing = await lister.list(AbortSignal.timeout(10_000));
    expect(listing.entries).toEqual([]);
    expect(listing.errors[0]).toMatch(/loopback, private, link-local or reserved address/);
  });
});
