/**
 * docs/design.md invariant 4 at the HTTP edge: whatever a server sends back, the Graph client never reads more than
 * MAX_RESPONSE_BYTES of one response into memory.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { GraphFailure } from "../../../src/core/ports/graphFailure.js";
import { GraphHttp, MAX_RESPONSE_BYTES } from "../../../src/graph/http.js";

let server: Server;
let origin: string;
let bytesWritten = 0;

beforeAll(async () => {
  // Streams a JSON-looking body far larger than any Graph answer, 64 KiB at a time, until the client stops.
  server = createServer((req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    if (req.url?.includes("small")) return res.end('{"ok":true}');
    const piece = Buffer.alloc(64 * 1024, 0x20);
    const pump = () => {
      while (bytesWritten < 64 * 1024 * 1024) {
        bytesWritten += piece.length;
        if (!res.write(piece)) return res.once("drain", pump);
      }
      res.end();
    };
    res.on("close", () => res.destroy());
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

it("refuses a response body larger than the limit without reading all of it", async () => {
  const http = new GraphHttp({
    baseUrl: `${origin}/v1.0`,
    tokens: { getToken: async () => "t" },
    requestTimeoutMs: 10_000,
  });
  const small = await http.send({
    method: "GET",
    url: `${origin}/v1.0/small`,
    route: "small",
    host: "graph",
  });
  expect(small.json).toEqual({ ok: true });

  const failure = await http
    .send({ method: "GET", url: `${origin}/v1.0/huge`, route: "getItem", host: "graph" })
    .catch((err: unknown) => err);
  expect(failure).toBeInstanceOf(GraphFailure);
  expect(failure).toMatchObject({ kind: "network" });
  expect((failure as Error).message).toContain(`exceeded ${MAX_RESPONSE_BYTES} bytes`);
  // The client stopped reading: the server did not get to push its whole 64 MiB.
  expect(bytesWritten).toBeLessThan(32 * 1024 * 1024);
});
