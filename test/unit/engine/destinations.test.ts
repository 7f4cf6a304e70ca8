import { describe, expect, it } from "vitest";
import { destinationFor, parseDestination } from "../../../src/core/job/destinations.js";
import { ConfigError } from "../../../src/core/shared/validationError.js";

describe("destination strings", () => {
  it("parses drive:<id>:<path>", () => {
    expect(parseDestination("drive:b!abc-123:/reports/q1.pdf")).toEqual({
      target: { type: "drive", driveId: "b!abc-123" },
      path: "/reports/q1.pdf",
      intoFolder: false,
    });
  });

  it("treats a trailing / (or no path) as a folder keeping the file's name", () => {
    const spec = parseDestination("drive:d1:/reports/");
    expect(spec.intoFolder).toBe(true);
    expect(destinationFor(spec, "a b#.txt")).toEqual({
      type: "drive",
      driveId: "d1",
      path: "/reports/a b#.txt",
    });
    expect(destinationFor(parseDestination("drive:d1:"), "x.bin").path).toBe("/x.bin");
    expect(destinationFor(parseDestination("drive:d1"), "x.bin").path).toBe("/x.bin");
    expect(parseDestination("drive:d1:reports//q.pdf").path).toBe("/reports/q.pdf");
  });

  it("parses onedrive:<user>:<path>", () => {
    expect(destinationFor(parseDestination("onedrive:adele@contoso.com:/Backups/"), "f.zip")).toEqual({
      type: "onedrive",
      user: "adele@contoso.com",
      path: "/Backups/f.zip",
    });
  });

  it("parses sharepoint:<site URL>:<library>:<path>, with or without a port and path", () => {
    expect(parseDestination("sharepoint:https://contoso.sharepoint.com/sites/Ops:Documents:/in/")).toEqual({
      target: { type: "sharepoint", site: "https://contoso.sharepoint.com/sites/Ops", library: "Documents" },
      path: "/in/",
      intoFolder: true,
    });
    expect(
      parseDestination("sharepoint:https://contoso.sharepoint.com:443/sites/A B/:Shared Documents:x.txt"),
    ).toMatchObject({
      target: { site: "https://contoso.sharepoint.com:443/sites/A B", library: "Shared Documents" },
      path: "/x.txt",
    });
    expect(parseDestination("sharepoint:https://contoso.sharepoint.com:Documents")).toMatchObject({
      target: { site: "https://contoso.sharepoint.com", library: "Documents" },
      path: "/",
    });
  });

  it.each([
    "",
    "c:/temp",
    "drive::/x",
    "onedrive::/x",
    "sharepoint:http://x/sites/a:Docs:/",
    "sharepoint:https://x/sites/a",
  ])("rejects %j naming --to", (text) => {
    expect(() => parseDestination(text)).toThrow(ConfigError);
    try {
      parseDestination(text);
    } catch (err: unknown) {
      expect(err instanceof ConfigError && err.problems[0]?.field).toBe("--to");
    }
  });
});
