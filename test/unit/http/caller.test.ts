import { describe, expect, it } from "vitest";
import { callerLabel, checkCaller, parseClientPrincipal, ROLES } from "../../../src/api/caller.js";

const OID = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f";

function principal(claims: { typ: string; val: string }[]): string {
  return Buffer.from(JSON.stringify({ auth_typ: "aad", role_typ: "roles", claims })).toString("base64");
}

describe("the caller from x-ms-client-principal", () => {
  it("allows a caller holding the role and names it by object id", () => {
    const header = principal([
      { typ: "http://schemas.microsoft.com/identity/claims/objectidentifier", val: OID },
      { typ: "roles", val: ROLES.write },
    ]);
    const check = checkCaller(header, ROLES.write);
    expect(check).toEqual({ ok: true, caller: { objectId: OID, roles: [ROLES.write] } });
    if (check.ok) expect(callerLabel(check.caller)).toBe(`oid:${OID}`);
  });

  it("refuses a caller without the role (403) and one without a principal (401)", () => {
    const reader = principal([
      { typ: "oid", val: OID },
      { typ: "roles", val: ROLES.read },
    ]);
    expect(checkCaller(reader, ROLES.write)).toMatchObject({ ok: false, status: 403 });
    expect(checkCaller(reader, ROLES.read)).toMatchObject({ ok: true });
    expect(checkCaller(undefined, ROLES.read)).toMatchObject({ ok: false, status: 401 });
    expect(checkCaller("not base64 json", ROLES.read)).toMatchObject({ ok: false, status: 401 });
    expect(checkCaller(principal([{ typ: "roles", val: ROLES.read }]), ROLES.read)).toMatchObject({
      ok: false,
      status: 401,
    });
  });

  it("takes a header that decodes to null, a number or a string for no principal (401), never a crash", () => {
    for (const body of ["null", "42", '"claims"']) {
      const header = Buffer.from(body).toString("base64");
      expect(parseClientPrincipal(header), body).toBeUndefined();
      expect(checkCaller(header, ROLES.read), body).toMatchObject({ status: 401 });
    }
  });

  it("names an app-only caller by app id", () => {
    const caller = parseClientPrincipal(principal([{ typ: "appid", val: "app-123" }]));
    expect(caller && callerLabel(caller)).toBe("appid:app-123");
  });
});
