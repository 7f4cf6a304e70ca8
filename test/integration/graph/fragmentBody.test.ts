/**
 * A fragment's body goes out in views of BODY_SLICE bytes over the caller's buffer (src/graph/transport.ts
 * `writeBody`, docs/upload.md "Memory"), to a real HTTP server: the bytes arrive whole and in order, with the exact
 * Content-Length and never chunked encoding (docs/graph-protocol.md), one view written only once the socket took
 * the one before, the buffer not detached (the pool lends it again), and a request answered before its body was
 * all sent closed at once.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { GraphFailure } from "../../../src/core/ports/graphFailure.js";
import { BODY_SLICE, GraphHttp } from "../../../src/graph/http.js";

let server: Server;
let origin: string;
const received: { headers: IncomingHttpHeaders; sha: string; bytes: number }[] = [];
const connections = { early: 0, earlyClosedAt: 0 };
let pausedViews = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url?.includes("/early")) {
      // Answers at once, reading nothing more of the body: a 401 on an upload URL.
      connections.early++;
      req.socket.on("close", () => {
        connections.earlyClosedAt = performance.now();
      });
      res.writeHead(401, { "content-type": "application/json" });
      res.end('{"error":{"code":"unauthenticated","message":"no"}}');
      return;
    }
    if (req.url?.includes("/paused")) {
      // Reads nothing for 300 ms: the client must stop writing once the socket's buffers are full.
      req.pause();
      setTimeout(() => {
        pausedViews = CountedBytes.views.length;
        req.resume();
      }, 300);
    }
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

const http = () =>
  new GraphHttp({
    baseUrl: `${origin}/v1.0`,
    tokens: { getToken: async () => "t" },
    requestTimeoutMs: 60_000,
  });

function patterned(length: number): CountedBytes {
  CountedBytes.views = [];
  const body = new CountedBytes(length);
  for (let i = 0; i < length; i += 4096) body[i] = (i / 4096) & 0xff;
  return body;
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

it("writes the next view only when the socket took the one before: a server that reads nothing holds most back", async () => {
  const length = 64 * BODY_SLICE;
  const body = patterned(length);
  const expected = createHash("sha256").update(body).digest("hex");
  received.length = 0;
  const answer = await http().send({
    method: "PUT",
    url: `${origin}/upload/paused`,
    route: "uploadFragment",
    host: "upload",
    body,
    headers: { "Content-Range": `bytes 0-${length - 1}/${length}` },
  });
  expect(answer.status).toBe(202);
  // Written at once, all 64 views would have been taken; with backpressure only what the socket buffers hold.
  expect(pausedViews).toBeGreaterThan(0);
  expect(pausedViews).toBeLessThan(32);
  expect(CountedBytes.views).toHaveLength(64);
  expect(received).toHaveLength(1);
  expect(received[0]?.sha).toBe(expected);
});

it("an answer before the body is all sent ends the request at once, not at its deadline", async () => {
  const length = 40 * BODY_SLICE;
  const started = performance.now();
  const failure = await http()
    .send({
      method: "PUT",
      url: `${origin}/upload/early`,
      route: "uploadFragment",
      host: "upload",
      body: patterned(length),
      headers: { "Content-Range": `bytes 0-${length - 1}/${length}` },
    })
    .catch((err: unknown) => err);
  expect(failure).toBeInstanceOf(GraphFailure);
  expect(failure).toMatchObject({ kind: "http", status: 401 });
  // One request, not retried on the upload host; its connection closed within a second (the deadline is 60 s),
  // so neither the socket nor the 40 MiB buffer is held until then.
  expect(connections.early).toBe(1);
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(connections.earlyClosedAt).toBeGreaterThan(0);
  expect(connections.earlyClosedAt - started).toBeLessThan(1_000);
});
