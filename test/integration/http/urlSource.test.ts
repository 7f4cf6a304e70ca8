/**
 * The https URL source against a real TLS server on loopback: Range reads, ETag fingerprint, change detection,
 * and the address policy applied at connection time (the address checked is the address connected to).
 */
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { generate } from "selfsigned";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SourceChangedError } from "../../../src/core/ports/common.js";
import { BlockedAddressError, createNetworkPolicy } from "../../../src/sources/networkGuard.js";
import { UrlSource } from "../../../src/sources/urlSource.js";

const body = Buffer.from(Array.from({ length: 100_000 }, (_, i) => i % 256));
let etag = '"v1"';
let server: Server;
let ca: string;
let port: number;
const seenRanges: string[] = [];

beforeAll(async () => {
  const tls = await generate([{ name: "commonName", value: "localhost" }], {
    keySize: 2048,
    extensions: [
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          { type: 7, ip: "127.0.0.1" },
        ],
      },
    ],
  });
  ca = tls.cert;
  server = createServer({ key: tls.private, cert: tls.cert }, (req, res) => {
    if (req.url === "/redirect") {
      res.writeHead(302, { location: "https://169.254.169.254/" }).end();
      return;
    }
    if (req.url === "/no-range") {
      // A server that ignores Range: the whole file with 200, however little was asked for.
      res.writeHead(200, { etag, "content-length": String(body.length) }).end(body);
      return;
    }
    const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? "");
    seenRanges.push(req.headers.range ?? "");
    if (!range) {
      res.writeHead(200, { etag }).end(body);
      return;
    }
    const start = Number(range[1]);
    const end = Math.min(Number(range[2]), body.length - 1);
    res.writeHead(206, { etag, "content-range": `bytes ${start}-${end}/${body.length}` });
    res.end(body.subarray(start, end + 1));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const allowLoopback = createNetworkPolicy(["127.0.0.0/8", "::1/128"]);

describe("UrlSource", () => {
  it("reads ranges of an allowed https URL and fingerprints it by size and ETag", async () => {
    const source = new UrlSource(`https://127.0.0.1:${port}/data.bin?sig=secret`, {
      policy: allowLoopback,
      ca,
    });
    expect(source.description).toBe(`https://127.0.0.1:${port}/data.bin`);
    const fingerprint = await source.fingerprint();
    expect(fingerprint).toEqual({ size: body.length, version: 'etag:"v1"' });
    const chunk = await source.read(40_000, 30_000, fingerprint);
    expect(Buffer.from(chunk).equals(body.subarray(40_000, 70_000))).toBe(true);
    expect(seenRanges).toContain("bytes=40000-69999");
  });

  it("notices a changed source (new ETag) instead of mixing versions", async () => {
    const source = new UrlSource(`https://localhost:${port}/data.bin`, { policy: allowLoopback, ca });
    const fingerprint = await source.fingerprint();
    etag = '"v2"';
    await expect(source.read(0, 10, fingerprint)).rejects.toBeInstanceOf(SourceChangedError);
    etag = '"v1"';
  });

  it("refuses loopback at connection time, for literal addresses and for names that resolve to it", async () => {
    const closed = createNetworkPolicy([]);
    for (const url of [`https://127.0.0.1:${port}/data.bin`, `https://localhost:${port}/data.bin`]) {
      const before = seenRanges.length;
      await expect(new UrlSource(url, { policy: closed, ca }).fingerprint()).rejects.toBeInstanceOf(
        BlockedAddressError,
      );
      expect(seenRanges.length).toBe(before); // no request reached the server
    }
  });

  it("does not follow redirects", async () => {
    const source = new UrlSource(`https://127.0.0.1:${port}/redirect`, { policy: allowLoopback, ca });
    await expect(source.fingerprint()).rejects.toThrow(/redirects are not followed/);
  });

  it("says the server ignored Range when it answers 200 with the whole file (issue 15 item 5)", async () => {
    const source = new UrlSource(`https://127.0.0.1:${port}/no-range`, { policy: allowLoopback, ca });
    await expect(source.fingerprint()).rejects.toThrow(
      /the server ignored the Range header \(answered 200 with the whole file\)/,
    );
    await expect(source.read(10, 10, { size: body.length, version: 'etag:"v1"' })).rejects.toThrow(
      /ignored the Range header/,
    );
  });

  it("refuses plain http", () => {
    expect(() => new UrlSource("http://example.com/a", { policy: allowLoopback })).toThrow(/only https/);
  });
});
