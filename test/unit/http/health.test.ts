import http from "node:http";
import type { AddressInfo } from "node:net";
import { HttpRequest } from "@azure/functions";
import { describe, expect, it } from "vitest";
import { getHealth } from "../../../src/api/health.js";
import { ConfigError } from "../../../src/core/shared/validationError.js";
import { context } from "../../support/httpApiHarness.js";

const request = () => new HttpRequest({ method: "GET", url: "http://localhost:7071/api/health" });

async function withGraphHost<T>(run: (url: string) => Promise<T>): Promise<T> {
  const server = http.createServer((_req, res) =>
    res.writeHead(401).end('{"error":{"code":"InvalidAuthenticationToken"}}'),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    return await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1.0`);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

describe("GET /api/health", () => {
  it("is ok when storage answers and the Graph host answers HTTP (even 401)", async () => {
    const response = await withGraphHost((graphBaseUrl) =>
      getHealth(async () => ({ graphBaseUrl, checkStorage: async () => undefined }))(request(), context()),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: "ok",
      checks: { storage: { ok: true }, graph: { ok: true, detail: "answered HTTP 401" } },
    });
  });

  it("is degraded, naming the failing check without secrets, when a check fails or hangs", async () => {
    const secret = "AccountKey=c2VjcmV0;SharedAccessSignature=sig";
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const response = await getHealth(async () => ({
      graphBaseUrl: `http://127.0.0.1:${closedPort}/v1.0`,
      timeoutMs: 200,
      checkStorage: () => new Promise<void>(() => undefined),
    }))(request(), context());
    expect(response.status).toBe(503);
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({
      status: "degraded",
      checks: {
        storage: { ok: false, detail: "timed out" },
        graph: { ok: false, detail: "network error ECONNREFUSED" },
      },
    });
    const failing = await getHealth(async () => ({
      graphBaseUrl: "http://127.0.0.1:1/v1.0",
      checkStorage: async () => {
        throw new Error(`connect failed for ${secret}`);
      },
    }))(request(), context());
    expect(await failing.text()).not.toContain("AccountKey");
  });

  it("reports a configuration problem by setting name", async () => {
    const response = await getHealth(async () => {
      throw new ConfigError([{ field: "GRAPH_BASE_URL", rule: "must be an https URL" }]);
    })(request(), context());
    expect(response.status).toBe(503);
    expect(await response.text()).toContain("GRAPH_BASE_URL: must be an https URL");
  });
});
