import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADELE_DELEGATED_TOKEN,
  DEFAULT_DRIVE_IDS,
  DEFAULT_HOSTNAME,
  DEFAULT_SITE_IDS,
  DEFAULT_USERS,
} from "../../../src/emulator/index.js";
import { encodePath, startTestEmulator, type TestEmulator } from "../../support/emulator.js";

interface DriveJson {
  id: string;
  name: string;
  webUrl: string;
  driveType: string;
  quota: { total: number; used: number; remaining: number };
}

describe("emulator addressing (docs/graph-protocol.md Addressing)", () => {
  let emu: TestEmulator;
  const ops = DEFAULT_DRIVE_IDS.opsDocuments;

  beforeAll(async () => {
    emu = await startTestEmulator({ limits: { drivesPageSize: 1, childrenPageSize: 2 } });
  });
  afterAll(async () => {
    await emu.close();
  });

  it("serves drives by id with Graph's shape and b! ids", async () => {
    const res = await emu.graph(`/drives/${ops}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const drive = (await res.json()) as DriveJson;
    expect(drive.id).toBe(ops);
    expect(drive.id).toMatch(/^b![A-Za-z0-9_-]{64}$/);
    expect(drive.driveType).toBe("documentLibrary");
    expect(drive.webUrl).toBe(`https://${DEFAULT_HOSTNAME}/sites/Ops/Shared%20Documents`);
    expect(drive.quota.remaining).toBe(drive.quota.total);
  });

  it("resolves the root site by hostname and /sites/Ops by server-relative path", async () => {
    const root = await emu.graph(`/sites/${DEFAULT_HOSTNAME}`);
    expect(root.status).toBe(200);
    expect(((await root.json()) as { id: string }).id).toBe(DEFAULT_SITE_IDS.root);
    const byPath = await emu.graph(`/sites/${DEFAULT_HOSTNAME}:/sites/Ops`);
    expect(byPath.status).toBe(200);
    const site = (await byPath.json()) as { id: string; webUrl: string; displayName: string };
    expect(site.id).toBe(DEFAULT_SITE_IDS.ops);
    expect(site.webUrl).toBe(`https://${DEFAULT_HOSTNAME}/sites/Ops`);
    const missing = await emu.graph(`/sites/${DEFAULT_HOSTNAME}:/sites/Nope`);
    expect(missing.status).toBe(404);
  });

  it("pages /sites/{id}/drives with @odata.nextLink", async () => {
    const names: string[] = [];
    let url: string | undefined = `${emu.graphBaseUrl}/sites/${DEFAULT_SITE_IDS.ops}/drives`;
    let pages = 0;
    while (url) {
      const res = await fetch(url, { headers: { authorization: "Bearer dev-token" } });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { value: DriveJson[]; "@odata.nextLink"?: string };
      names.push(...body.value.map((d) => d.name));
      url = body["@odata.nextLink"];
      pages++;
    }
    expect(pages).toBe(2);
    expect(names).toEqual(["Documents", "Reports"]);
  });

  it("resolves /sites/{id}/drive, /users/{upn}/drive, /users/{id}/drive and delegated /me/drive", async () => {
    const siteDrive = await emu.graph(`/sites/${DEFAULT_SITE_IDS.ops}/drive`);
    expect(((await siteDrive.json()) as DriveJson).id).toBe(ops);
    const byUpn = await emu.graph(`/users/${DEFAULT_USERS.adele.userPrincipalName}/drive`);
    expect(byUpn.status).toBe(200);
    const adeleDrive = (await byUpn.json()) as DriveJson;
    expect(adeleDrive.id).toBe(DEFAULT_DRIVE_IDS.adeleOneDrive);
    expect(adeleDrive.driveType).toBe("business");
    expect(adeleDrive.webUrl).toBe(
      "https://contoso-my.sharepoint.com/personal/adele_vance_contoso_onmicrosoft_com/Documents",
    );
    const byId = await emu.graph(`/users/${DEFAULT_USERS.megan.id}/drive`);
    expect(((await byId.json()) as DriveJson).id).toBe(DEFAULT_DRIVE_IDS.meganOneDrive);
    const me = await emu.graph("/me/drive", { token: ADELE_DELEGATED_TOKEN });
    expect(((await me.json()) as DriveJson).id).toBe(DEFAULT_DRIVE_IDS.adeleOneDrive);
    const unknown = await emu.graph("/users/nobody@contoso.onmicrosoft.com/drive");
    expect(unknown.status).toBe(404);
  });

  it("answers /me for app-only tokens with 400, as Graph does", async () => {
    const res = await emu.graph("/me/drive");
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("BadRequest");
    expect(body.error.message).toContain("delegated");
    const me = await emu.graph("/me", { token: ADELE_DELEGATED_TOKEN });
    expect(((await me.json()) as { userPrincipalName: string }).userPrincipalName).toBe(
      DEFAULT_USERS.adele.userPrincipalName,
    );
  });

  it("answers 404 itemNotFound for missing paths with the Graph error body and headers", async () => {
    const res = await emu.graph(`/drives/${ops}/root:/nope/missing.txt`, {
      headers: { "client-request-id": "my-correlation-id" },
    });
    expect(res.status).toBe(404);
    expect(res.headers.get("client-request-id")).toBe("my-correlation-id");
    const requestId = res.headers.get("request-id");
    const body = (await res.json()) as {
      error: { code: string; message: string; innerError: Record<string, string> };
    };
    expect(body.error.code).toBe("itemNotFound");
    expect(body.error.innerError["request-id"]).toBe(requestId);
    expect(body.error.innerError["client-request-id"]).toBe("my-correlation-id");
    expect(body.error.innerError.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  });

  it("addresses items by path, by id and by id plus path, case-insensitively, with encoded segments", async () => {
    const name = "Q1 #1 100% done.txt";
    const put = await emu.graph(`/drives/${ops}/root:${encodePath(`/Reports 2026/${name}`)}:/content`, {
      method: "PUT",
      body: "hello",
    });
    expect(put.status).toBe(201);
    const item = (await put.json()) as {
      id: string;
      name: string;
      parentReference: { id: string; path: string };
    };
    expect(item.name).toBe(name);
    expect(item.parentReference.path).toBe(`/drives/${ops}/root:/Reports%202026`);

    const byPath = await emu.graph(
      `/drives/${ops}/root:${encodePath(`/reports 2026/${name.toUpperCase()}`)}`,
    );
    expect(byPath.status).toBe(200);
    expect(((await byPath.json()) as { id: string }).id).toBe(item.id);
    const byPathTrailingColon = await emu.graph(
      `/drives/${ops}/root:${encodePath(`/Reports 2026/${name}`)}:`,
    );
    expect(byPathTrailingColon.status).toBe(200);

    const byId = await emu.graph(`/drives/${ops}/items/${item.id}`);
    expect(((await byId.json()) as { name: string }).name).toBe(name);
    const byParentAndPath = await emu.graph(
      `/drives/${ops}/items/${item.parentReference.id}:/${encodeURIComponent(name)}`,
    );
    expect(((await byParentAndPath.json()) as { id: string }).id).toBe(item.id);

    const root = await emu.graph(`/drives/${ops}/root`);
    const rootJson = (await root.json()) as { root?: object; folder?: { childCount: number } };
    expect(rootJson.root).toEqual({});
    expect(rootJson.folder?.childCount).toBeGreaterThanOrEqual(1);
  });

  it("creates folders with POST .../children under each conflict behaviour and pages children", async () => {
    const create = (behavior?: string) =>
      emu.graph(`/drives/${ops}/root:/Team:/children`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          name: "Sub",
          folder: {},
          ...(behavior ? { "@microsoft.graph.conflictBehavior": behavior } : {}),
        }),
      });
    const parent = await emu.graph(`/drives/${ops}/root/children`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Team", folder: {} }),
    });
    expect(parent.status).toBe(201);
    expect((await create()).status).toBe(201);
    const conflict = await create();
    expect(conflict.status).toBe(409);
    expect(((await conflict.json()) as { error: { code: string } }).error.code).toBe("nameAlreadyExists");
    const renamed = await create("rename");
    expect(((await renamed.json()) as { name: string }).name).toBe("Sub 1");
    expect((await create("replace")).status).toBe(201);
    const noFacet = await emu.graph(`/drives/${ops}/root:/Team:/children`, {
      method: "POST",
      body: JSON.stringify({ name: "X" }),
    });
    expect(noFacet.status).toBe(400);

    emu.inspect.putItem(ops, "/Team/z.txt", Buffer.from("z"));
    const first = await emu.graph(`/drives/${ops}/root:/Team:/children`);
    const page1 = (await first.json()) as { value: { name: string }[]; "@odata.nextLink"?: string };
    expect(page1.value.map((v) => v.name)).toEqual(["Sub", "Sub 1"]);
    const nextLink = page1["@odata.nextLink"] ?? "";
    expect(nextLink.startsWith(`${emu.graphBaseUrl}/drives/${ops}/root:/Team:/children?`)).toBe(true);
    const second = await fetch(nextLink, { headers: { authorization: "Bearer dev-token" } });
    const page2 = (await second.json()) as { value: { name: string }[]; "@odata.nextLink"?: string };
    expect(page2.value.map((v) => v.name)).toEqual(["z.txt"]);
    expect(page2["@odata.nextLink"]).toBeUndefined();
  });

  it("deletes items (204) and then answers 404", async () => {
    await emu.graph(`/drives/${ops}/root:/trash/x.bin:/content`, { method: "PUT", body: "x" });
    const del = await emu.graph(`/drives/${ops}/root:/trash/x.bin`, { method: "DELETE" });
    expect(del.status).toBe(204);
    expect((await emu.graph(`/drives/${ops}/root:/trash/x.bin`)).status).toBe(404);
  });

  it("lists a site's drives by hostname and path, and answers 405 to methods a route does not take", async () => {
    const res = await emu.graph(`/sites/${DEFAULT_HOSTNAME}:/sites/Ops:/drives`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { value: DriveJson[] };
    expect(body.value[0]?.id).toBe(ops);
    const patch = await emu.graph(`/drives/${ops}/root`, { method: "PATCH", body: "{}" });
    expect(patch.status).toBe(405);
  });

  it("answers 400 for paths Graph does not know and 404 for unknown drives", async () => {
    const bad = await emu.graph("/nothing/here");
    expect(bad.status).toBe(400);
    const noDrive = await emu.graph("/drives/b!doesnotexist");
    expect(noDrive.status).toBe(404);
    expect(((await noDrive.json()) as { error: { code: string } }).error.code).toBe("itemNotFound");
  });
});
