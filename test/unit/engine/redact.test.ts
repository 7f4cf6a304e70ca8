import { describe, expect, it } from "vitest";
import { redactSecrets } from "../../../src/core/shared/redact.js";

const TEMPAUTH = "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.eyJhdWQiOiJ0ZW1wYXV0aCJ9.c2lnbmF0dXJl";
/** The shape SharePoint returns (Microsoft's createUploadSession doc): `guid='...'` comes before tempauth. */
const SHAREPOINT_UPLOAD_URL =
  "https://contoso.sharepoint.com/sites/Ops/_api/v2.0/drives/b!abc/items/01XYZ/uploadSession" +
  `?guid='4a5e1c6f-2b9d-4f1e-9d3a-000000000000'&overwrite=True&rename=False&dc=0&tempauth=${TEMPAUTH}`;
const ONEDRIVE_UPLOAD_URL = "https://sn3302.up.1drv.com/up/fe6987415ace7X4e1eF866337SECRETPATH";

function expectClean(text: string, ...secrets: string[]): void {
  for (const secret of secrets) expect(text).not.toContain(secret);
}

describe("redactSecrets", () => {
  it("removes a SharePoint upload URL's query even though it contains single quotes", () => {
    const out = redactSecrets(`PUT ${SHAREPOINT_UPLOAD_URL} failed`);
    expectClean(out, TEMPAUTH, "tempauth=eyJ", "guid=", "/uploadSession");
    expect(out).toBe("PUT https://contoso.sharepoint.com/… failed");
  });

  it("removes a OneDrive upload URL's path, where its secret lives", () => {
    expectClean(redactSecrets(`uploadUrl ${ONEDRIVE_UPLOAD_URL}`), "SECRETPATH");
  });

  it("removes tempauth from relative URLs and error bodies that echo them", () => {
    const body = `{"error":{"code":"invalidRequest","message":"Bad URL /up/abc?tempauth=${TEMPAUTH}&x=1"}}`;
    const out = redactSecrets(body);
    expectClean(out, TEMPAUTH);
    expect(out).toContain("tempauth=…");
    expect(out).toContain("invalidRequest");
  });

  it("masks Bearer and Basic credentials and bare JWTs", () => {
    expectClean(redactSecrets(`Authorization: Bearer ${TEMPAUTH}`), TEMPAUTH);
    expectClean(redactSecrets("Authorization: Basic dXNlcjpzZWNyZXQ="), "dXNlcjpzZWNyZXQ");
    expectClean(redactSecrets(`the token ${TEMPAUTH} expired`), TEMPAUTH);
  });

  it("masks secrets in form bodies and JSON token responses", () => {
    const form = "client_id=abc&client_secret=S3cr3t~Value&grant_type=refresh_token&refresh_token=0.AAAArt";
    const outForm = redactSecrets(form);
    expectClean(outForm, "S3cr3t~Value", "0.AAAArt");
    expect(outForm).toContain("client_id=abc");
    expect(outForm).toContain("grant_type=refresh_token");
    const json = '{"access_token": "opaque-at", "refresh_token":"M.R3_BAY.opaque", "expires_in": 3600}';
    const outJson = redactSecrets(json);
    expectClean(outJson, "opaque-at", "M.R3_BAY.opaque");
    expect(outJson).toContain('"expires_in": 3600');
  });

  it("masks user info in URLs, SAS signatures and storage account keys", () => {
    expectClean(redactSecrets("fetch https://user:hunter2@files.example.com/a.bin"), "hunter2", "user:");
    expectClean(redactSecrets("blob /c/b.bin?sv=2024&sig=AbC%2Bdef"), "AbC%2Bdef");
    const connection =
      "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5a2V5a2V5==;EndpointSuffix=x";
    const out = redactSecrets(connection);
    expectClean(out, "a2V5a2V5a2V5");
    expect(out).toContain("AccountName=acct");
  });

  it("keeps a SharePoint site URL whole: it names the site, it is no secret (issue 15 item 5)", () => {
    const message =
      'no library named "Nope" on https://contoso.sharepoint.com/sites/Ops; existing libraries: Documents';
    expect(redactSecrets(message)).toBe(message);
    expect(redactSecrets("site https://contoso.sharepoint.com/teams/Finance/Sub was not found")).toBe(
      "site https://contoso.sharepoint.com/teams/Finance/Sub was not found",
    );
  });

  it("still cuts site-looking URLs that carry a query, an API segment or credentials", () => {
    expect(redactSecrets("GET https://contoso.sharepoint.com/sites/Ops?sig=abc")).toBe(
      "GET https://contoso.sharepoint.com/…",
    );
    expect(
      redactSecrets("PUT https://contoso.sharepoint.com/sites/Ops/_api/v2.0/drives/b!x/uploadSession"),
    ).toBe("PUT https://contoso.sharepoint.com/…");
    expectClean(redactSecrets("https://u:pw@contoso.sharepoint.com/sites/Ops"), "pw@", "u:");
  });

  it("keeps messages without secrets as they are", () => {
    const plain = "PUT uploadFragment: HTTP 503 serviceNotAvailable: try again (request-id 1234-abcd)";
    expect(redactSecrets(plain)).toBe(plain);
  });
});
