import { describe, expect, it } from "vitest";
import { parseTokenFile, serializeTokenFile } from "../../../src/auth/delegated/tokenFile.js";
import { classifyTokenEndpointError } from "../../../src/auth/tokenEndpoint.js";

const client = { tokenEndpoint: "https://login.microsoftonline.com/common/oauth2/v2.0/token", clientId: "c" };
const aad = (error: string, code: number) => ({
  error,
  error_codes: [code],
  error_description: `AADSTS${code}: x`,
});

describe("refresh failures are classified by what to do next", () => {
  it.each([
    [aad("invalid_grant", 700082), "sign-in-required", "the refresh token expired (AADSTS700082)"],
    [aad("invalid_grant", 70008), "sign-in-required", "the refresh token expired (AADSTS70008)"],
    [aad("invalid_grant", 50173), "sign-in-required", "revoked"],
    [aad("invalid_client", 7000215), "bad-client-credential", "set AZURE_CLIENT_SECRET"],
    [aad("invalid_client", 7000222), "bad-client-credential", "the client secret has expired"],
    [aad("invalid_client", 7000218), "bad-client-credential", "Allow public client flows"],
  ])("%j -> %s", (body, code, text) => {
    const err = classifyTokenEndpointError(400, body, client, "token.json");
    expect(err.code).toBe(code);
    expect(err.message).toContain(text);
    if (code === "sign-in-required") expect(err.message).toContain("sign in again with `graph-mirror login`");
  });

  it("treats 5xx, 429 and temporarily_unavailable as retryable", () => {
    expect(classifyTokenEndpointError(503, {}, client, "x")).toMatchObject({
      code: "network",
      retryable: true,
    });
    expect(classifyTokenEndpointError(429, {}, client, "x").retryable).toBe(true);
    expect(classifyTokenEndpointError(400, { error: "temporarily_unavailable" }, client, "x").retryable).toBe(
      true,
    );
    expect(classifyTokenEndpointError(400, aad("invalid_grant", 70008), client, "x").retryable).toBe(false);
  });

  it("names the secret's real source", () => {
    const err = classifyTokenEndpointError(
      401,
      aad("invalid_client", 7000215),
      { ...client, clientSecretSource: 'client_secret of rclone remote "od"' },
      "x",
    );
    expect(err.message).toContain('client_secret of rclone remote "od"');
  });
});

describe("token.json format", () => {
  it("reads expires_at or a Unix expiry, and round-trips unknown fields", () => {
    const parsed = parseTokenFile(
      JSON.stringify({
        access_token: "a",
        expiry: 1795410000,
        scope: "Files.Read offline_access",
        user: "u@x",
      }),
      "t.json",
    );
    expect(parsed).toMatchObject({
      accessToken: "a",
      expiresAt: 1795410000000,
      scopes: ["Files.Read", "offline_access"],
      extra: { user: "u@x" },
    });
    const again = parseTokenFile(serializeTokenFile(parsed), "t.json");
    expect(again).toEqual(parsed);
    expect(JSON.parse(serializeTokenFile(parsed)).expires_at).toBe("2026-11-23T05:00:00.000Z");
  });

  it("names the field and the fix, and never echoes a token", () => {
    expect(() => parseTokenFile("{", "t.json")).toThrow(
      "token file t.json is not valid JSON: fix it or sign in again",
    );
    expect(() => parseTokenFile(JSON.stringify({ refresh_token: "r-secret" }), "t.json")).toThrow(
      "access_token",
    );
    expect(() =>
      parseTokenFile(JSON.stringify({ access_token: "a-secret", expires_at: "tomorrow" }), "t.json"),
    ).toThrow(/expires_at: must be ISO 8601/);
    try {
      parseTokenFile(JSON.stringify({ access_token: "a-secret", expires_at: "tomorrow" }), "t.json");
    } catch (err: unknown) {
      expect(String(err)).not.toContain("a-secret");
    }
  });
});
