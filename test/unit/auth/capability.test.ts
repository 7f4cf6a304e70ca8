import { describe, expect, it } from "vitest";
import { assessCapability } from "../../../src/auth/capability.js";
import { assertWriteAllowed } from "../../../src/auth/gate.js";
import { readTokenClaims } from "../../../src/auth/jwt.js";
import { StaticTokenProvider } from "../../../src/auth/staticToken.js";
import type { TokenProvider } from "../../../src/core/ports/common.js";

function jwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "none" })}.${part(claims)}.sig`;
}

describe("capability", () => {
  it("is full with Files.ReadWrite.All and Sites.Manage.All (or Sites.FullControl.All)", () => {
    expect(assessCapability(["Files.ReadWrite.All", "Sites.Manage.All", "offline_access"]).capability).toBe(
      "full",
    );
    expect(
      assessCapability(["https://graph.microsoft.com/Files.ReadWrite.All", "Sites.FullControl.All"])
        .capability,
    ).toBe("full");
  });

  it("is read-only when permissions are known and none can write", () => {
    const assessed = assessCapability(["Files.Read.All", "Sites.Read.All", "User.Read"]);
    expect(assessed).toMatchObject({ capability: "read-only", mayWrite: false });
    expect(assessed.explanation).toContain("Files.Read.All, Sites.Read.All, User.Read");
    expect(assessCapability(["User.Read", "openid"]).capability).toBe("read-only");
  });

  it("is unknown (writes allowed) without a permission list, with a partial set, or with Sites.Selected", () => {
    expect(assessCapability([])).toMatchObject({ capability: "unknown", mayWrite: true });
    expect(assessCapability(["offline_access", "openid"]).capability).toBe("unknown");
    const partial = assessCapability(["Files.ReadWrite.All"]);
    expect(partial).toMatchObject({ capability: "unknown", mayWrite: true });
    expect(partial.explanation).toContain("lacks Sites.Manage.All");
    expect(assessCapability(["Sites.Selected"]).explanation).toContain("first call");
  });
});

describe("token claims", () => {
  it("reads tenant, app, user, scp and roles from a JWT, and nothing from an opaque token", () => {
    const claims = readTokenClaims(
      jwt({ tid: "t", azp: "a", upn: "u@x", scp: "Files.Read User.Read", exp: 2000000000 }),
    );
    expect(claims).toEqual({
      tenantId: "t",
      appId: "a",
      user: "u@x",
      scopes: ["Files.Read", "User.Read"],
      roles: [],
      expiresAt: 2000000000000,
    });
    expect(readTokenClaims(jwt({ roles: ["Sites.Selected"] }))?.roles).toEqual(["Sites.Selected"]);
    expect(readTokenClaims("EwB4A8l6BAAU-opaque-personal-token")).toBeUndefined();
  });
});

describe("writes refused up front", () => {
  it("refuses a read-only static token with guidance, and lets full and unknown ones through", async () => {
    const readOnly = new StaticTokenProvider(jwt({ scp: "Files.Read.All Sites.Read.All" }));
    await expect(assertWriteAllowed(readOnly)).rejects.toMatchObject({
      code: "insufficient-permission",
      message: expect.stringContaining("graph-mirror login"),
    });
    const appReadOnly = new StaticTokenProvider(jwt({ roles: ["Sites.Read.All"] }));
    await expect(assertWriteAllowed(appReadOnly)).rejects.toMatchObject({
      message: expect.stringContaining("grant admin consent"),
    });
    await expect(
      assertWriteAllowed(
        new StaticTokenProvider(jwt({ roles: ["Files.ReadWrite.All", "Sites.Manage.All"] })),
      ),
    ).resolves.toBeUndefined();
    await expect(assertWriteAllowed(new StaticTokenProvider("opaque"))).resolves.toBeUndefined();
  });

  it("uses describe() of providers from elsewhere", async () => {
    const foreign: TokenProvider = {
      getToken: async () => "x",
      describe: async () => ({ source: "test", capability: "read-only", scopes: ["Files.Read"] }),
    };
    await expect(assertWriteAllowed(foreign)).rejects.toMatchObject({ code: "insufficient-permission" });
  });

  it("never hands back a rejected static token", async () => {
    const provider = new StaticTokenProvider("fixed-token-value");
    await expect(provider.getToken({ forceRefresh: true })).rejects.toMatchObject({
      code: "sign-in-required",
      message: expect.not.stringContaining("fixed-token-value"),
    });
  });
});
