import { describe, expect, it } from "vitest";
import { decodedPathOf, encodePath, itemByPathUrl, siteByUrl } from "../../../src/graph/addressing.js";
import { toDriveItem, toSessionStatus } from "../../../src/graph/driveItem.js";
import { parseGraphErrorBody } from "../../../src/graph/errorBody.js";
import { USER_AGENT } from "../../../src/graph/http.js";
import { VERSION } from "../../../src/version.js";

describe("Graph addressing", () => {
  it("encodes each segment on its own and keeps the slashes", () => {
    expect(encodePath("/a b/c#d/e%f/g?.txt")).toBe("a%20b/c%23d/e%25f/g%3F.txt");
    expect(itemByPathUrl("https://g/v1.0", "b!x", "/dir/a b.txt", "createUploadSession")).toBe(
      "https://g/v1.0/drives/b!x/root:/dir/a%20b.txt:/createUploadSession",
    );
    expect(itemByPathUrl("https://g/v1.0", "d", "/x.txt")).toBe("https://g/v1.0/drives/d/root:/x.txt");
  });

  it("addresses sites by hostname and server-relative path", () => {
    expect(siteByUrl("https://g/v1.0", new URL("https://contoso.sharepoint.com/sites/Ops Team"))).toBe(
      "https://g/v1.0/sites/contoso.sharepoint.com:/sites/Ops%20Team",
    );
    expect(siteByUrl("https://g/v1.0", new URL("https://contoso.sharepoint.com/sites/100%zz x"))).toBe(
      "https://g/v1.0/sites/contoso.sharepoint.com:/sites/100%25zz%20x",
    );
    expect(siteByUrl("https://g/v1.0", new URL("https://contoso.sharepoint.com/sites/Caf%C3%A9"))).toBe(
      "https://g/v1.0/sites/contoso.sharepoint.com:/sites/Caf%C3%A9",
    );
    expect(siteByUrl("https://g/v1.0", new URL("https://contoso.sharepoint.com/"))).toBe(
      "https://g/v1.0/sites/contoso.sharepoint.com",
    );
    expect(decodedPathOf("https://c.sharepoint.com/sites/Ops/Shared%20Documents/")).toBe(
      "/sites/Ops/Shared Documents",
    );
  });

  it("decorates the User-Agent", () => {
    expect(USER_AGENT).toBe(`NONISV|graph-mirror|graph-mirror/${VERSION}`);
  });
});

describe("Graph error bodies", () => {
  it("returns nested codes most specific first, with the request id", () => {
    const body = JSON.stringify({
      error: {
        code: "invalidRange",
        message: "Overlap",
        innerError: { code: "fragmentOverlap", "request-id": "r-1", innerError: { code: "deepest" } },
      },
    });
    expect(parseGraphErrorBody(body)).toEqual({
      codes: ["deepest", "fragmentOverlap", "invalidRange"],
      message: "Overlap",
      requestId: "r-1",
    });
  });

  it("reads the upload host's lower-case innererror", () => {
    const body = JSON.stringify({
      error: { code: "itemNotFound", innererror: { code: "uploadSessionNotFound" } },
    });
    expect(parseGraphErrorBody(body).codes).toEqual(["uploadSessionNotFound", "itemNotFound"]);
  });

  it("survives non-JSON and odd shapes", () => {
    expect(parseGraphErrorBody("<html>")).toEqual({ codes: [] });
    expect(parseGraphErrorBody('{"error":"x"}')).toEqual({ codes: [] });
    expect(parseGraphErrorBody("")).toEqual({ codes: [] });
  });
});

describe("Graph bodies", () => {
  it("reads a driveItem with its QuickXorHash", () => {
    expect(
      toDriveItem({ id: "i", name: "n", size: 3, eTag: "e", file: { hashes: { quickXorHash: "h" } } }),
    ).toEqual({ id: "i", name: "n", size: 3, eTag: "e", quickXorHash: "h" });
    expect(() => toDriveItem({ size: 1 })).toThrow();
  });

  it("reads a session status", () => {
    expect(
      toSessionStatus({ nextExpectedRanges: ["5-", 7], expirationDateTime: "2026-01-01T00:00:00Z" }),
    ).toEqual({ nextExpectedRanges: ["5-"], expiresAt: Date.UTC(2026, 0, 1) });
  });
});

describe("Graph HTTP token rule", () => {
  it("refuses to send the Graph token to another host, before any request", async () => {
    const { GraphHttp } = await import("../../../src/graph/http.js");
    let asked = 0;
    const http = new GraphHttp({
      baseUrl: "https://graph.microsoft.com/v1.0",
      requestTimeoutMs: 1000,
      tokens: {
        async getToken() {
          asked++;
          return "secret";
        },
      },
    });
    await expect(
      http.send({ method: "GET", url: "https://evil.example/v1.0/x", route: "listDrives", host: "graph" }),
    ).rejects.toThrow(/refusing to send the Graph token/);
    expect(asked).toBe(0);
    expect(http.isGraphUrl("https://graph.microsoft.com/v1.0/sites")).toBe(true);
    expect(http.isGraphUrl("https://graph.microsoft.com.evil.example/v1.0")).toBe(false);
  });
});
