/**
 * The emulator's permissions API over sockets: list (the drive owner's permission, inherited below the root;
 * grants on ancestors inherited with `inheritedFrom`; paged), invite (user permissions, roles validated,
 * unknown users answered as Graph answers them), delete (204, 404 for an unknown id, inherited ones refused),
 * the read-only token refused like every write, a Sites.Selected token limited to its site, and durable mode
 * keeping the grants across a restart.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEFAULT_DRIVE_IDS,
  DEFAULT_USERS,
  OPS_ONLY_TOKEN,
  READ_ONLY_TOKEN,
} from "../../../src/emulator/index.js";
import { startTestEmulator, type TestEmulator } from "../../support/emulator.js";

const ops = DEFAULT_DRIVE_IDS.opsDocuments;
const megan = DEFAULT_USERS.megan.userPrincipalName;
const adele = DEFAULT_USERS.adele.userPrincipalName;

interface Permission {
  id: string;
  roles: string[];
  grantedToV2: { user?: { email: string; id: string }; siteGroup?: { displayName: string } };
  inheritedFrom?: { driveId: string; id: string; path: string };
}
interface Page {
  value: Permission[];
  "@odata.nextLink"?: string;
}

function inviteBody(email: string, role: string, extra: Record<string, unknown> = {}) {
  return JSON.stringify({
    recipients: [{ email }],
    roles: [role],
    requireSignIn: true,
    sendInvitation: false,
    ...extra,
  });
}

async function folder(emu: TestEmulator, drive: string, name: string, parent = "root"): Promise<string> {
  const res = await emu.graph(`/drives/${drive}/${parent === "root" ? "root" : `items/${parent}`}/children`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, folder: {}, "@microsoft.graph.conflictBehavior": "replace" }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function invite(emu: TestEmulator, drive: string, itemId: string, body: string, token?: string) {
  return emu.graph(`/drives/${drive}/items/${itemId}/invite`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
    ...(token ? { token } : {}),
  });
}

async function allPermissions(emu: TestEmulator, url: string, token?: string): Promise<Permission[][]> {
  const pages: Permission[][] = [];
  let next: string | undefined = `${emu.graphBaseUrl}${url}`;
  while (next) {
    const res = await fetch(next, { headers: { authorization: `Bearer ${token ?? "dev-token"}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Page;
    pages.push(body.value);
    next = body["@odata.nextLink"];
  }
  return pages;
}

describe("emulator permissions API", () => {
  let emu: TestEmulator;
  let shared: string;
  let inner: string;
  beforeAll(async () => {
    emu = await startTestEmulator({ limits: { permissionsPageSize: 2 } });
    shared = await folder(emu, ops, "shared");
    inner = await folder(emu, ops, "inner", shared);
  });
  afterAll(async () => emu?.close());

  it("lists the owner's permission on the root, not inherited, and inherited below it", async () => {
    const [rootPage] = await allPermissions(emu, `/drives/${ops}/root/permissions`);
    expect(rootPage).toEqual([
      expect.objectContaining({ roles: ["owner"], grantedToV2: { siteGroup: expect.anything() } }),
    ]);
    expect(rootPage?.[0]?.inheritedFrom).toBeUndefined();
    const [folderPage] = await allPermissions(emu, `/drives/${ops}/items/${shared}/permissions`);
    expect(folderPage?.[0]?.inheritedFrom).toMatchObject({ driveId: ops, path: `/drives/${ops}/root:` });
  });

  it("invites a known user, lists the grant on the item and inherited below it, across pages", async () => {
    const res = await invite(emu, ops, shared, inviteBody(megan, "write"));
    expect(res.status).toBe(200);
    const granted = ((await res.json()) as Page).value;
    expect(granted).toEqual([
      expect.objectContaining({
        roles: ["write"],
        grantedToV2: { user: expect.objectContaining({ email: megan }) },
      }),
    ]);
    expect((await invite(emu, ops, shared, inviteBody(adele, "read"))).status).toBe(200);
    // Owner + 2 grants with 2 per page: the listing needs its next link.
    const pages = await allPermissions(emu, `/drives/${ops}/items/${shared}/permissions`);
    expect(pages.map((p) => p.length)).toEqual([2, 1]);
    const direct = pages.flat().filter((p) => !p.inheritedFrom);
    expect(direct.map((p) => [p.grantedToV2.user?.email, p.roles[0]])).toEqual([
      [megan, "write"],
      [adele, "read"],
    ]);
    const below = (await allPermissions(emu, `/drives/${ops}/items/${inner}/permissions`)).flat();
    const inherited = below.find((p) => p.grantedToV2.user?.email === megan);
    expect(inherited?.inheritedFrom).toEqual({
      driveId: ops,
      id: shared,
      path: `/drives/${ops}/root:/shared`,
    });
  });

  it("addresses items by path for invite and list", async () => {
    const res = await emu.graph(`/drives/${ops}/root:/shared/inner:/invite`, {
      method: "POST",
      body: inviteBody(adele, "write"),
    });
    expect(res.status).toBe(200);
    const listed = (await allPermissions(emu, `/drives/${ops}/root:/shared/inner:/permissions`)).flat();
    expect(listed.some((p) => p.grantedToV2.user?.email === adele && !p.inheritedFrom)).toBe(true);
  });

  it("answers an unknown user with noResolvedUsers and invalid bodies with 400 naming the field", async () => {
    const unknown = await invite(emu, ops, shared, inviteBody("nobody@contoso.onmicrosoft.com", "read"));
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe("noResolvedUsers");
    const owner = await invite(emu, ops, shared, inviteBody(megan, "owner"));
    expect(owner.status).toBe(400);
    expect(((await owner.json()) as { error: { message: string } }).error.message).toMatch(/^roles\.0:/);
    const neither = await invite(emu, ops, shared, inviteBody(megan, "read", { requireSignIn: false }));
    expect(neither.status).toBe(400);
    expect(((await neither.json()) as { error: { message: string } }).error.message).toMatch(
      /cannot both be false/,
    );
  });

  it("refuses invites and deletes from the read-only token, and lets it list", async () => {
    emu.inspect.clearLog();
    const res = await invite(emu, ops, inner, inviteBody(megan, "read"), READ_ONLY_TOKEN);
    expect(res.status).toBe(403);
    const id = Buffer.from(`i:0#.f|membership|${megan}`).toString("base64url");
    const del = await emu.graph(`/drives/${ops}/items/${shared}/permissions/${id}`, {
      method: "DELETE",
      token: READ_ONLY_TOKEN,
    });
    expect(del.status).toBe(403);
    const pages = await allPermissions(emu, `/drives/${ops}/items/${shared}/permissions`, READ_ONLY_TOKEN);
    expect(pages.flat().some((p) => p.id === id)).toBe(true);
    expect(emu.inspect.requestLog().map((r) => r.route)).toEqual([
      "invite",
      "deletePermission",
      "listPermissions",
      "listPermissions",
    ]);
  });

  it("limits a Sites.Selected token to its sites", async () => {
    const root = DEFAULT_DRIVE_IDS.rootDocuments;
    const elsewhere = await folder(emu, root, "elsewhere");
    expect((await invite(emu, root, elsewhere, inviteBody(megan, "read"), OPS_ONLY_TOKEN)).status).toBe(403);
    expect((await invite(emu, ops, inner, inviteBody(megan, "read"), OPS_ONLY_TOKEN)).status).toBe(200);
  });

  it("deletes a direct permission (204), answers 404 for an unknown id and 400 for an inherited one", async () => {
    const id = Buffer.from(`i:0#.f|membership|${adele}`).toString("base64url");
    const inheritedDelete = await emu.graph(`/drives/${ops}/items/${inner}/permissions/3`, {
      method: "DELETE",
    });
    expect(inheritedDelete.status).toBe(400);
    const del = await emu.graph(`/drives/${ops}/items/${shared}/permissions/${id}`, { method: "DELETE" });
    expect(del.status).toBe(204);
    const again = await emu.graph(`/drives/${ops}/items/${shared}/permissions/${id}`, { method: "DELETE" });
    expect(again.status).toBe(404);
    const left = (await allPermissions(emu, `/drives/${ops}/items/${shared}/permissions`)).flat();
    expect(left.some((p) => p.id === id && !p.inheritedFrom)).toBe(false);
  });
});

describe("emulator permissions in durable mode", () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "graph-mirror-emulator-perms-"));
  });
  afterAll(async () => rm(dataDir, { recursive: true, force: true }));

  it("keeps grants and deletions across a restart", async () => {
    const first = await startTestEmulator({ profile: "lenient", dataDir });
    const id = await folder(first, ops, "kept");
    expect((await invite(first, ops, id, inviteBody(megan, "read"))).status).toBe(200);
    expect((await invite(first, ops, id, inviteBody(adele, "write"))).status).toBe(200);
    const adeleId = Buffer.from(`i:0#.f|membership|${adele}`).toString("base64url");
    expect(
      (await first.graph(`/drives/${ops}/items/${id}/permissions/${adeleId}`, { method: "DELETE" })).status,
    ).toBe(204);
    await first.close();
    const second = await startTestEmulator({ profile: "lenient", dataDir });
    try {
      const users = (await allPermissions(second, `/drives/${ops}/items/${id}/permissions`))
        .flat()
        .filter((p) => p.grantedToV2.user)
        .map((p) => [p.grantedToV2.user?.email, p.roles[0]]);
      expect(users).toEqual([[megan, "read"]]);
    } finally {
      await second.close();
    }
  });
});
