/**
 * API_AUTH=entra on the read routes GET /api/mirrors and GET /api/stats, through the handlers: Uploads.Read is
 * required, and a refused caller gets its 401/403 before any setting or table is read. Under functionKey the
 * principal header is ignored. (The allowed path against real tables: test/integration/mirror/functions.test.ts.)
 */
import { HttpRequest, type HttpResponseInit, InvocationContext } from "@azure/functions";
import { describe, expect, it } from "vitest";
import { ROLES } from "../../../src/api/caller.js";
import { createServices, type Services } from "../../../src/app/services.js";
import { loadConfig } from "../../../src/config/index.js";
import { listMirrorsHandler, statsHandler } from "../../../src/functions/mirrors.js";

const OID = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f";

function principal(roles: string[]): string {
  const claims = [{ typ: "oid", val: OID }, ...roles.map((val) => ({ typ: "roles", val }))];
  return Buffer.from(JSON.stringify({ auth_typ: "aad", role_typ: "roles", claims })).toString("base64");
}

/** Services whose tables say what was read: any read throws a recognisable error. */
function spyRuntime(env: Record<string, string>): { rt: Services; reads: string[] } {
  const reads: string[] = [];
  const base = createServices(loadConfig(env));
  const rt: Services = {
    ...base,
    storageConfig: () => {
      reads.push("storageConfig");
      throw new Error("storage read");
    },
    storage: () => {
      reads.push("storage");
      return Promise.reject(new Error("storage read"));
    },
    mirrorStores: () => {
      reads.push("mirrorStores");
      return Promise.reject(new Error("storage read"));
    },
    mirror: () => {
      reads.push("mirror");
      return Promise.reject(new Error("storage read"));
    },
  };
  return { rt, reads };
}

const context = () => new InvocationContext({ functionName: "listMirrors", invocationId: "t" });
const request = (route: string, principalHeader?: string) =>
  new HttpRequest({
    method: "GET",
    url: `http://localhost:7071/api/${route}`,
    headers: principalHeader ? { "x-ms-client-principal": principalHeader } : {},
  });

const handlers: [
  string,
  (r: HttpRequest, c: InvocationContext, rt: Services) => Promise<HttpResponseInit>,
][] = [
  ["mirrors", listMirrorsHandler],
  ["stats?days=1", statsHandler],
];

describe.each(handlers)("GET /api/%s under API_AUTH=entra", (route, handler) => {
  it("without a principal: 401 with a Bearer challenge, nothing read", async () => {
    const { rt, reads } = spyRuntime({ API_AUTH: "entra" });
    const answer = await handler(request(route), context(), rt);
    expect(answer.status).toBe(401);
    expect(
      new Headers(answer.headers as ConstructorParameters<typeof Headers>[0]).get("www-authenticate"),
    ).toMatch(/^Bearer/);
    expect(reads).toEqual([]);
  });

  it("without Uploads.Read (Uploads.Write is not enough): 403, nothing read", async () => {
    const { rt, reads } = spyRuntime({ API_AUTH: "entra" });
    const answer = await handler(request(route, principal([ROLES.write])), context(), rt);
    expect(answer.status).toBe(403);
    expect(reads).toEqual([]);
  });

  it("with Uploads.Read: past the gate to the tables", async () => {
    const { rt, reads } = spyRuntime({ API_AUTH: "entra" });
    const answer = await handler(request(route, principal([ROLES.read])), context(), rt);
    expect(answer.status).toBe(500);
    expect(reads).not.toEqual([]);
  });
});

describe.each(handlers)("GET /api/%s under API_AUTH=functionKey", (route, handler) => {
  it("ignores the principal header and reads", async () => {
    const { rt, reads } = spyRuntime({});
    const answer = await handler(request(route), context(), rt);
    expect(answer.status).toBe(500);
    expect(reads).not.toEqual([]);
  });

  it("refuses an unknown API_AUTH at start, as a configuration error naming the setting", () => {
    // loadConfig runs when the app loads (src/functions/appServices.ts): no request is ever served with it.
    expect(() => spyRuntime({ API_AUTH: "easyauth" })).toThrow(/API_AUTH: must be functionKey or entra/);
  });
});
