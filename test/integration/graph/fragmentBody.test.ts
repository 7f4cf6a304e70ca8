/**
 * A fragment's body goes out in views of BODY_SLICE bytes over the caller's buffer (src/graph/transport.ts
 * `writeBody`, docs/upload.md "Memory"), to a real HTTP server: the bytes arrive whole and in order, with the exact
 * Content-Length and never chunked encoding (docs/graph-protocol.md), and the buffer is neither copied per slice
 * nor detached (the pool lends it again).
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { BODY_SLICE, GraphHttp } from "../../../src/graph/http.js";

let server: Server;
let origin: string;
const received: { headers: IncomingHttpHeaders; sha: string; bytes: number }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const hash = createHash("sha256");
    let bytes = 0;
    req.on("data", (chunk: Buffer) => {
      hash.update(chunk);
      bytes += chunk.length;
    });
    req.on("end", () => {
      received.push({ headers: req.headers, sha: hash.digest("hex"), bytes });
      res.writeHead(202, { "content-type": "application/json" });
      res.end('{"nextExpectedRanges":["0-"]}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Bytes that count the views taken of them (a subarray of a subclass is of the subclass). */
class CountedBytes extends Uint8Array {
  static views: number[] = [];
  override subarray(begin?: number, end?: number): Uint8Array<ArrayBuffer> {
    const view = super.subarray(begin, end);
    CountedBytes.views.push(view.byteLength);
    return view;
  }
}

it("sends a 3 MiB + 5 byte fragment in 1 MiB views, whole, with its exact Content-Length", async () => {
  const length = 3 * BODY_SLICE + 5;
  const body = new CountedBytes(length);
  for (let i = 0; i < length; i++) body[i] = (i * 31 + 7) & 0xff;
  const expected = createHash("sha256").update(body).digest("hex");
  const http = new GraphHttp({
    baseUrl: `${origin}/v1.0`,
    tokens: { getToken: async () => "t" },
    requestTimeoutMs: 10_000,
  });
  const answer = await http.send({
    method: "PUT",
    url: `${origin}/upload/session`,
    route: "uploadFragment",
    host: "upload",
    body,
    headers: { "Content-Length": String(length), "Content-Range": `bytes 0-${length - 1}/${length * 2}` },
  });
  expect(answer.status).toBe(202);
  expect(received).toHaveLength(1);
  expect(received[0]?.bytes).toBe(length);
  expect(received[0]?.sha).toBe(expected);
  expect(received[0]?.headers["content-length"]).toBe(String(length));
  expect(received[0]?.headers["transfer-encoding"]).toBeUndefined();
  expect(CountedBytes.views).toEqual([BODY_SLICE, BODY_SLICE, BODY_SLICE, 5]);
  // Still the caller's: not detached by the stream, so the pool can lend it again.
  expect(body.byteLength).toBe(length);
  expect(createHash("sha256").update(body).digest("hex")).toBe(expected);
});
