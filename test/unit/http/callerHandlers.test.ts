/**
 * API_AUTH=entra through the handlers themselves (as Azure calls them): the route's app role is required, a
 * refused caller gets 401/403 with nothing stored, staged or enqueued, and an allowed caller is recorded in every
 * job of the request and returned by GET. Under functionKey (the default) the principal header is ignored.
 */
import path from "node:path";
import { HttpRequest } from "@azure/functions";
import { describe, expect, it } from "vitest";
import { ROLES } from "../../../src/api/caller.js";
import { deleteUpload, getUpload, postUpload } from "../../../src/api/uploadHandlers.js";
import { context, type Harness, harness, octetRequest } from "../../support/httpApiHarness.js";

const OID = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f";
const APP_ID = "7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d";

function principal(claims: { typ: string; val: string }[]): string {
  return Buffer.from(JSON.stringify({ auth_typ: "aad", role_typ: "roles", claims })).toString("base64");
}
const writer = principal([
  { typ: "http://schemas.microsoft.com/identity/claims/objectidentifier", val: OID },
  { typ: "roles", val: ROLES.write },
]);
const reader = principal([
  { typ: "appid", val: APP_ID },
  { typ: "roles", val: ROLES.read },
]);

function post(h: Harness, principalHeader?: string): HttpRequest {
  return new HttpRequest({
    method: "POST",
    url: "http://localhost:7071/api/uploads",
    headers: {
      "content-type": "application/json",
      ...(principalHeader ? { "x-ms-client-principal": principalHeader } : {}),
    },
    body: {
      string: JSON.stringify({
        source: { type: "file", path: path.join(h.root, "ok.bin") },
        destinations: [
          { type: "drive", driveId: "b!abc", path: "/in/" },
          { type: "onedrive", user: "adele@contoso.com", path: "/backup/" },
        ],
      }),
    },
  });
}

function byId(method: string, id: string, principalHeader?: string): HttpRequest {
  return new HttpRequest({
    method,
    url: `http://localhost:7071/api/uploads/${id}`,
    params: { id },
    headers: principalHeader ? { "x-ms-client-principal": principalHeader } : {},
  });
}

function nothingWritten(h: Harness) {
  expect(h.created).toEqual([]);
  expect(h.queue.sent).toEqual([]);
  expect(h.staged).toEqual([]);
}

describe("API_AUTH=entra through the handlers", () => {
  it("POST with Uploads.Write records the caller in every job and GET returns it", async () => {
    const h = harness({ API_AUTH: "entra" });
    const created = await postUpload(h.deps)(post(h, writer), context());
    expect(created.status).toBe(202);
    const stored = await h.store.listByRequest("req-1");
    expect(stored.map((s) => s.job.requestedBy)).toEqual([`oid:${OID}`, `oid:${OID}`]);
    const status = await getUpload(h.deps)(byId("GET", "req-1", reader), context());
    expect(status.status).toBe(200);
    const answer = (await status.json()) as { jobs: { requestedBy?: string }[] };
    expect(answer.jobs.map((j) => j.requestedBy)).toEqual([`oid:${OID}`, `oid:${OID}`]);
    expect(JSON.stringify(answer)).not.toContain(writer);
  });

  it("POST without Uploads.Write: 403 and nothing stored or enqueued", async () => {
    const h = harness({ API_AUTH: "entra" });
    const refused = await postUpload(h.deps)(post(h, reader), context());
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({
      error: { code: "forbidden", message: "the caller lacks the app role Uploads.Write" },
    });
    nothingWritten(h);
  });

  it("POST without a principal: 401 and nothing stored or enqueued", async () => {
    const h = harness({ API_AUTH: "entra" });
    const refused = await postUpload(h.deps)(post(h), context());
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toMatch(/^Bearer/);
    nothingWritten(h);
  });

  it("an octet-stream POST without the role is refused before its body is staged", async () => {
    const h = harness({ API_AUTH: "entra" });
    const refused = await postUpload(h.deps)(
      octetRequest("?to=drive:b!abc:/in/&name=a.bin", new Uint8Array(10), {
        "x-ms-client-principal": reader,
      }),
      context(),
    );
    expect(refused.status).toBe(403);
    nothingWritten(h);
  });

  it("GET needs Uploads.Read and DELETE Uploads.Write", async () => {
    const h = harness({ API_AUTH: "entra" });
    expect((await postUpload(h.deps)(post(h, writer), context())).status).toBe(202);
    expect((await getUpload(h.deps)(byId("GET", "req-1"), context())).status).toBe(401);
    expect((await getUpload(h.deps)(byId("GET", "req-1", writer), context())).status).toBe(403);
    expect((await deleteUpload(h.deps)(byId("DELETE", "req-1", reader), context())).status).toBe(403);
    expect(h.cancelled).toEqual([]);
    expect((await deleteUpload(h.deps)(byId("DELETE", "req-1", writer), context())).status).toBe(202);
    expect(h.cancelled).toEqual(["req-1-1", "req-1-2"]);
  });
});

describe("DELETE names its caller (API_AUTH=entra)", () => {
  const canceller = principal([
    { typ: "appid", val: APP_ID },
    { typ: "roles", val: ROLES.write },
  ]);

  it("records who cancelled on every job's row and returns it, never the principal itself", async () => {
    const h = harness({ API_AUTH: "entra" });
    expect((await postUpload(h.deps)(post(h, writer), context())).status).toBe(202);
    const cancelled = await deleteUpload(h.deps)(byId("DELETE", "req-1", canceller), context());
    expect(cancelled.status).toBe(202);
    const answer = (await cancelled.json()) as { jobs: { requestedBy?: string; cancelledBy?: string }[] };
    expect(answer.jobs.map((j) => [j.requestedBy, j.cancelledBy])).toEqual([
      [`oid:${OID}`, `appid:${APP_ID}`],
      [`oid:${OID}`, `appid:${APP_ID}`],
    ]);
    expect(JSON.stringify(answer)).not.toContain(canceller);
    const rows = await h.store.listByRequest("req-1");
    expect(rows.map((r) => [r.cancelRequested, r.cancelledBy])).toEqual([
      [true, `appid:${APP_ID}`],
      [true, `appid:${APP_ID}`],
    ]);
    // GET shows it too, while the worker has yet to finish the cancellation.
    const status = await getUpload(h.deps)(byId("GET", "req-1", reader), context());
    const seen = (await status.json()) as { jobs: { cancelledBy?: string }[] };
    expect(seen.jobs.map((j) => j.cancelledBy)).toEqual([`appid:${APP_ID}`, `appid:${APP_ID}`]);
  });

  it("under function keys nobody is named", async () => {
    const h = harness();
    expect((await postUpload(h.deps)(post(h), context())).status).toBe(202);
    const cancelled = await deleteUpload(h.deps)(byId("DELETE", "req-1", canceller), context());
    const answer = (await cancelled.json()) as { jobs: { cancelledBy?: string }[] };
    expect(answer.jobs.map((j) => j.cancelledBy)).toEqual([undefined, undefined]);
    expect((await h.store.listByRequest("req-1")).map((r) => r.cancelledBy)).toEqual([undefined, undefined]);
  });
});

describe("API_AUTH=functionKey (default)", () => {
  it("ignores a principal header: nothing vouches for it without Easy Auth", async () => {
    const h = harness();
    expect((await postUpload(h.deps)(post(h, reader), context())).status).toBe(202);
    const stored = await h.store.listByRequest("req-1");
    expect(stored.map((s) => s.job.requestedBy)).toEqual([undefined, undefined]);
  });

  it("refuses an unknown API_AUTH naming the setting and the rule", () => {
    expect(() => harness({ API_AUTH: "easyauth" })).toThrow(/API_AUTH: must be functionKey or entra/);
  });
});
