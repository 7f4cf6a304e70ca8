/**
 * `graph-mirror permissions list|grant|revoke` against the Graph emulator over sockets, with the emulator's
 * read-only token and its full one: listing (paged) and its JSON shape, grants and revokes seen in the emulator,
 * the read-only token stopped by the service, and a token known to lack the permissions refused before any
 * request (the emulator's request log stays empty), with bad arguments named.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listPermissionsCommand } from "../../../src/cli/commands/permissionsList.js";
import { grantCommand, revokeCommand } from "../../../src/cli/commands/permissionsWrite.js";
import { GraphFailure } from "../../../src/core/ports/graphFailure.js";
import {
  DEFAULT_DRIVE_IDS,
  DEFAULT_TOKEN,
  DEFAULT_USERS,
  READ_ONLY_TOKEN,
} from "../../../src/emulator/index.js";
import type { PermissionsJson } from "../../../src/permissions/listFormat.js";
import { startTestEmulator, type TestEmulator } from "../../support/emulator.js";

const DRIVE = DEFAULT_DRIVE_IDS.opsDocuments;
const ITEM = "sharepoint:https://contoso.sharepoint.com/sites/Ops:Documents:/team";
const megan = DEFAULT_USERS.megan.userPrincipalName;
const adele = DEFAULT_USERS.adele.userPrincipalName;

function jwt(claims: Record<string, unknown>): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "none", typ: "JWT" })}.${part(claims)}.signature`;
}

let emu: TestEmulator;
let dir: string;

beforeAll(async () => {
  emu = await startTestEmulator({ limits: { permissionsPageSize: 1 } });
  dir = await mkdtemp(path.join(os.tmpdir(), "gm-perms-"));
  const res = await emu.graph(`/drives/${DRIVE}/root/children`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "team", folder: {} }),
  });
  expect(res.status).toBe(201);
});
afterAll(async () => {
  await emu?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function io(token: string) {
  let out = "";
  let err = "";
  return {
    env: { GRAPH_BASE_URL: emu.graphBaseUrl, GRAPH_ACCESS_TOKEN: token, XDG_STATE_HOME: dir },
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text) },
    out: () => out,
    err: () => err,
  };
}

async function listJson(token: string): Promise<PermissionsJson> {
  const run = io(token);
  expect(await listPermissionsCommand(ITEM, { json: true }, run)).toBe(0);
  return JSON.parse(run.out()) as PermissionsJson;
}

describe("graph-mirror permissions grant / list / revoke with the full token", () => {
  it("grants write to a user, lists it across pages (JSON shape), then revokes it by user", async () => {
    const grant = io(DEFAULT_TOKEN);
    expect(await grantCommand(ITEM, { to: megan, role: "write" }, grant)).toBe(0);
    expect(grant.out()).toMatch(new RegExp(`granted write on .*/team to ${megan} \\(id `));
    expect(await grantCommand(ITEM, { to: adele, role: "read" }, io(DEFAULT_TOKEN))).toBe(0);

    emu.inspect.clearLog();
    const listed = await listJson(DEFAULT_TOKEN);
    // One permission per page: three pages (owner, Megan, Adele).
    expect(emu.inspect.requestLog().filter((r) => r.route === "listPermissions")).toHaveLength(3);
    expect(listed.item).toEqual({
      destination: expect.stringContaining(":/team"),
      driveId: DRIVE,
      id: expect.any(String),
    });
    expect(listed.permissions).toEqual([
      expect.objectContaining({
        roles: ["owner"],
        kind: "siteGroup",
        inherited: true,
        inheritedFrom: `/drives/${DRIVE}/root:`,
      }),
      {
        id: expect.any(String),
        roles: ["write"],
        kind: "user",
        name: "Megan Bowen",
        email: megan,
        granteeId: DEFAULT_USERS.megan.id,
        inherited: false,
      },
      expect.objectContaining({ roles: ["read"], kind: "user", email: adele, inherited: false }),
    ]);

    const text = io(READ_ONLY_TOKEN);
    expect(await listPermissionsCommand(ITEM, {}, text)).toBe(0);
    expect(text.out().split("\n")).toEqual([
      expect.stringMatching(/^owner +siteGroup +Operations Owners +\(inherited from \/drives\/.*\/root:\)$/),
      expect.stringMatching(new RegExp(`^write +user +Megan Bowen <${megan}> +\\(id \\S+\\)$`)),
      expect.stringMatching(new RegExp(`^read +user +Adele Vance <${adele}> +\\(id \\S+\\)$`)),
      "",
    ]);

    const revoke = io(DEFAULT_TOKEN);
    expect(await revokeCommand(ITEM, { user: megan.toUpperCase() }, revoke)).toBe(0);
    expect(revoke.out()).toMatch(/^revoked permission \S+ on .*\/team/);
    const after = await listJson(DEFAULT_TOKEN);
    expect(after.permissions.map((p) => p.email)).toEqual([undefined, adele]);
  });

  it("revokes by permission id, and exits 1 for an unknown id or a user with no direct permission", async () => {
    const adeleId = (await listJson(DEFAULT_TOKEN)).permissions.find((p) => p.email === adele)?.id ?? "";
    expect(await revokeCommand(ITEM, { permission: adeleId }, io(DEFAULT_TOKEN))).toBe(0);
    const unknown = io(DEFAULT_TOKEN);
    emu.inspect.clearLog();
    expect(await revokeCommand(ITEM, { permission: adeleId }, unknown)).toBe(1);
    // A 404 is an answer, not a failure to retry: one delete request.
    expect(emu.inspect.requestLog().filter((r) => r.route === "deletePermission")).toHaveLength(1);
    expect(unknown.err()).toMatch(/nothing at .*permission id/);
    const none = io(DEFAULT_TOKEN);
    expect(await revokeCommand(ITEM, { user: megan }, none)).toBe(1);
    expect(none.err()).toMatch(/no permission of .* grants/);
  });

  it("exits 1 for an item that does not exist", async () => {
    const run = io(DEFAULT_TOKEN);
    expect(await listPermissionsCommand(`${ITEM}/missing`, {}, run)).toBe(1);
    expect(run.err()).toMatch(/nothing at/);
  });
});

describe("graph-mirror permissions with a read-only token", () => {
  it("lets the emulator's opaque read-only token through the gate; the service refuses with 403", async () => {
    emu.inspect.clearLog();
    const error = await grantCommand(ITEM, { to: megan, role: "read" }, io(READ_ONLY_TOKEN)).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GraphFailure);
    expect((error as GraphFailure).status).toBe(403);
    expect(emu.inspect.requestLog().at(-1)).toMatchObject({ route: "invite", status: 403 });
    // Refused once and not asked again.
    expect(emu.inspect.requestLog().filter((r) => r.route === "invite")).toHaveLength(1);
    expect((await listJson(DEFAULT_TOKEN)).permissions.filter((p) => p.kind === "user")).toEqual([]);
  });

  it.each([
    ["grant", () => grantCommand(ITEM, { to: megan, role: "write" }, io(readOnlyJwt()))],
    ["revoke --user", () => revokeCommand(ITEM, { user: megan }, io(readOnlyJwt()))],
    ["revoke --permission", () => revokeCommand(ITEM, { permission: "abc" }, io(readOnlyJwt()))],
  ])(
    "refuses %s with a token known to be read-only before any request, with the guidance",
    async (_name, run) => {
      emu.inspect.clearLog();
      await expect(run()).rejects.toThrow(
        /sharing refused before any request.*Files\.ReadWrite\.All.*Sites\.Manage\.All/s,
      );
      expect(emu.inspect.requestLog()).toHaveLength(0);
    },
  );

  it("refuses a token that can upload to its app folder only (not a sharing permission)", async () => {
    emu.inspect.clearLog();
    const appFolder = jwt({ roles: ["Files.ReadWrite.AppFolder"], tid: "t", appid: "a" });
    await expect(grantCommand(ITEM, { to: megan, role: "read" }, io(appFolder))).rejects.toThrow(
      /sharing refused/,
    );
    expect(emu.inspect.requestLog()).toHaveLength(0);
  });
});

function readOnlyJwt(): string {
  return jwt({ scp: "Files.Read.All Sites.Read.All User.Read", tid: "t", oid: "u" });
}

describe("graph-mirror permissions argument checks (before any request)", () => {
  it.each([
    [{ to: "not-an-address", role: "read" }, /--to: must be an e-mail address/],
    [{ to: megan, role: "owner" }, /--role: must be "read" or "write"/],
    [{ to: megan, role: "read", message: "hi" }, /--message: is only sent with --send-invitation/],
    [
      { to: megan, role: "read", message: "x".repeat(2001), sendInvitation: true },
      /--message: must be at most 2000/,
    ],
  ])("grant %o", async (options, pattern) => {
    emu.inspect.clearLog();
    await expect(grantCommand(ITEM, options, io(DEFAULT_TOKEN))).rejects.toThrow(pattern);
    expect(emu.inspect.requestLog()).toHaveLength(0);
  });

  it.each([
    [{}, /--permission\/--user: give exactly one/],
    [{ permission: "a", user: megan }, /--permission\/--user: give exactly one/],
    [{ user: "nobody" }, /--user: must be an e-mail address/],
  ])("revoke %o", async (options, pattern) => {
    emu.inspect.clearLog();
    await expect(revokeCommand(ITEM, options, io(DEFAULT_TOKEN))).rejects.toThrow(pattern);
    expect(emu.inspect.requestLog()).toHaveLength(0);
  });
});
