import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEFAULT_DRIVE_IDS,
  DEFAULT_HOSTNAME,
  DEFAULT_SITE_IDS,
  DEFAULT_USERS,
  OPS_ONLY_TOKEN,
  READ_ONLY_TOKEN,
} from "../../../src/emulator/index.js";
import { createSession, putFragment, startTestEmulator, type TestEmulator } from "../../support/emulator.js";

const ops = DEFAULT_DRIVE_IDS.opsDocuments;

async function codeOf(res: Response): Promise<string> {
  const body = (await res.json()) as { error: { code: string } };
  return body.error.code;
}

describe("emulator authentication and authorisation", () => {
  let emu: TestEmulator;

  beforeAll(async () => {
    emu = await startTestEmulator();
  });
  afterAll(async () => {
    await emu.close();
  });

  it("answers 401 InvalidAuthenticationToken without a token or with an unknown one", async () => {
    const none = await emu.graph(`/drives/${ops}`, { token: null });
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(await codeOf(none)).toBe("InvalidAuthenticationToken");
    const wrong = await emu.graph(`/drives/${ops}`, { token: "not-a-token" });
    expect(wrong.status).toBe(401);
    expect(await codeOf(wrong)).toBe("InvalidAuthenticationToken");
    const log = emu.inspect.requestLog().slice(-2);
    expect(log.map((l) => [l.status, l.hadAuthorization])).toEqual([
      [401, false],
      [401, true],
    ]);
  });

  it("lets read-only tokens read and answers 403 accessDenied to their writes", async () => {
    expect((await emu.graph(`/drives/${ops}/root`, { token: READ_ONLY_TOKEN })).status).toBe(200);
    const write = await emu.graph(`/drives/${ops}/root:/ro.txt:/content`, {
      method: "PUT",
      body: "x",
      token: READ_ONLY_TOKEN,
    });
    expect(write.status).toBe(403);
    expect(await codeOf(write)).toBe("accessDenied");
    const session = await emu.graph(`/drives/${ops}/root:/ro.txt:/createUploadSession`, {
      method: "POST",
      token: READ_ONLY_TOKEN,
    });
    expect(session.status).toBe(403);
    const folder = await emu.graph(`/drives/${ops}/root/children`, {
      method: "POST",
      body: JSON.stringify({ name: "f", folder: {} }),
      token: READ_ONLY_TOKEN,
    });
    expect(folder.status).toBe(403);
  });

  it("restricts Sites.Selected-like tokens to their sites", async () => {
    expect((await emu.graph(`/sites/${DEFAULT_HOSTNAME}:/sites/Ops`, { token: OPS_ONLY_TOKEN })).status).toBe(
      200,
    );
    expect((await emu.graph(`/drives/${ops}`, { token: OPS_ONLY_TOKEN })).status).toBe(200);
    const rootSite = await emu.graph(`/sites/${DEFAULT_SITE_IDS.root}`, { token: OPS_ONLY_TOKEN });
    expect(rootSite.status).toBe(403);
    expect(await codeOf(rootSite)).toBe("accessDenied");
    expect(
      (await emu.graph(`/drives/${DEFAULT_DRIVE_IDS.rootDocuments}`, { token: OPS_ONLY_TOKEN })).status,
    ).toBe(403);
    const oneDrive = await emu.graph(`/users/${DEFAULT_USERS.megan.userPrincipalName}/drive`, {
      token: OPS_ONLY_TOKEN,
    });
    expect(oneDrive.status).toBe(403);
  });

  it("refuses an Authorization header on the upload URL with 401 (strict mode)", async () => {
    const url = await createSession(emu, ops, "/auth.bin");
    const res = await putFragment(url, Buffer.from("x"), 0, 1, {
      headers: { authorization: "Bearer dev-token" },
    });
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: { code: string; innererror: Record<string, string> } };
    expect(body.error.code).toBe("unauthenticated");
    expect(body.error.innererror["request-id"]).toBe(res.headers.get("request-id"));
    const logged = emu.inspect.requestLog().at(-1);
    expect(logged?.host).toBe("upload");
    expect(logged?.hadAuthorization).toBe(true);
    expect(logged?.path).not.toContain("tempauth");
    // Without the header the same URL works.
    expect((await putFragment(url, Buffer.from("x"), 0, 1)).status).toBe(201);
  });

  it("answers 401 to a wrong or missing tempauth", async () => {
    const url = new URL(await createSession(emu, ops, "/tempauth.bin"));
    const secret = url.searchParams.get("tempauth") ?? "";
    url.searchParams.set("tempauth", `${secret}x`);
    expect((await fetch(url)).status).toBe(401);
    url.searchParams.delete("tempauth");
    expect((await fetch(url)).status).toBe(401);
  });

  it("can accept Authorization on upload URLs when strict mode is off", async () => {
    const lenient = await startTestEmulator({ limits: { rejectAuthorizationOnUploadUrl: false } });
    try {
      const url = await createSession(lenient, ops, "/lenient.bin");
      const res = await putFragment(url, Buffer.from("x"), 0, 1, {
        headers: { authorization: "Bearer dev-token" },
      });
      expect(res.status).toBe(201);
    } finally {
      await lenient.close();
    }
  });

  it("does not serve Graph routes on the upload host", async () => {
    const res = await fetch(`${emu.uploadOrigin}/v1.0/drives/${ops}`);
    expect(res.status).toBe(404);
  });
});
