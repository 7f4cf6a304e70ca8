import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../src/core/shared/validationError.js";
import { parseMirrorDefinitions } from "../../../src/mirror/definitions.js";
import { parseMirrorSchedule, parseMirrorSettings } from "../../../src/mirror/settings.js";

const context = { allowedFileRoots: ["/data"], settingName: "MIRRORS" };
const good = {
  name: "ops",
  source: { type: "file", path: "/data/app" },
  destinations: [
    {
      type: "sharepoint",
      site: "https://contoso.sharepoint.com/sites/Ops",
      library: "Documents",
      path: "/m",
    },
  ],
};

function problemsOf(mirror: unknown): string[] {
  const result = parseMirrorDefinitions(JSON.stringify([good, mirror]), context);
  expect(result.valid.map((m) => m.name)).toEqual(["ops"]);
  const invalid = result.invalid[0];
  expect(invalid).toBeDefined();
  return invalid?.error.problems.map((p) => `${p.field}: ${p.rule}`) ?? [];
}

describe("mirror definitions", () => {
  it("accepts a valid definition and fills the defaults", () => {
    const { valid, invalid } = parseMirrorDefinitions(JSON.stringify({ mirrors: [good] }), context);
    expect(invalid).toEqual([]);
    expect(valid[0]).toMatchObject({
      name: "ops",
      enabled: true,
      include: ["**"],
      exclude: [],
      conflictBehavior: "replace",
      onDestinationChanged: "skip-and-report",
      propagateDeletes: false,
    });
  });

  it("names the mirror, the field and the rule, and keeps the valid mirrors", () => {
    const result = parseMirrorDefinitions(
      JSON.stringify([good, { ...good, name: "bad-one", destinations: [{ type: "onedrive", path: "x" }] }]),
      context,
    );
    expect(result.valid.map((m) => m.name)).toEqual(["ops"]);
    expect(result.invalid[0]?.mirror).toBe("bad-one");
    expect(result.invalid[0]?.error.message).toContain('invalid mirror "bad-one"');
    expect(result.invalid[0]?.error.message).toContain("destinations[0].user: is required");
    expect(result.invalid[0]?.error.message).not.toContain("destinations[0].path");
  });

  it("takes a destination path without a leading / from the drive root (issue 15 item 9)", () => {
    const result = parseMirrorDefinitions(
      JSON.stringify([{ ...good, destinations: [{ type: "drive", driveId: "b!x", path: "Mirrors/app" }] }]),
      context,
    );
    expect(result.invalid).toEqual([]);
    expect(result.valid[0]?.destinations[0]?.path).toBe("/Mirrors/app");
  });

  it.each([
    [{ ...good, name: "has space" }, "name: must be 1-63 letters"],
    [{ ...good, name: "dup" }, ""],
    [
      { ...good, name: "x", source: { type: "ftp" } },
      'source.type: must be a source with type "file", "blob", "url" or "sftp"',
    ],
    [
      { ...good, name: "x", source: { type: "file", path: "/etc" } },
      "source.path: must be inside one of ALLOWED_FILE_ROOTS",
    ],
    [
      { ...good, name: "x", source: { type: "file", path: "relative" } },
      "source.path: must be an absolute path",
    ],
    [
      { ...good, name: "x", source: { type: "blob", container: "Bad_Name" } },
      "source.container: must be a blob container name",
    ],
    [
      { ...good, name: "x", source: { type: "url", urls: ["http://example.com/a"] } },
      "source.urls[0]: must be an https:// URL",
    ],
    [{ ...good, name: "x", source: { type: "url", urls: [] } }, "source.urls: must list at least one URL"],
    [{ ...good, name: "x", destinations: [] }, "destinations: must list at least one destination"],
    [
      {
        ...good,
        name: "x",
        destinations: [{ type: "sharepoint", site: "http://c.sharepoint.com/sites/a", library: "D" }],
      },
      "destinations[0].site: must be an https:// URL",
    ],
    [
      { ...good, name: "x", destinations: [{ type: "drive", driveId: "b!x", path: "/a/../b" }] },
      "destinations[0].path: must be a folder path",
    ],
    [
      { ...good, name: "x", destinations: [{ type: "drive", driveId: "b!x", path: "/a:b" }] },
      "destinations[0].path: must be a folder path",
    ],
    [
      { ...good, name: "x", onDestinationChanged: "merge" },
      'onDestinationChanged: must be "overwrite", "skip-and-report" or "keep-both"',
    ],
    [
      { ...good, name: "x", conflictBehavior: "ignore" },
      'conflictBehavior: must be "replace", "rename" or "fail"',
    ],
    [{ ...good, name: "x", propagateDeletes: "yes" }, "propagateDeletes: must be true or false"],
    [{ ...good, name: "x", include: "**" }, "include: must be a list of glob patterns"],
    [{ ...good, name: "x", surprise: 1 }, "surprise: is not a known field"],
    [
      { ...good, name: "x", source: { type: "file", path: "/data", extra: true } },
      "source.extra: is not a known field",
    ],
  ])("rejects %j", (mirror, expected) => {
    if (mirror.name === "dup") {
      const result = parseMirrorDefinitions(JSON.stringify([good, { ...good, name: "OPS" }]), context);
      expect(result.invalid[0]?.error.problems).toEqual([
        { field: "name", rule: "must be unique (mirrors[0] has the same name)" },
      ]);
      return;
    }
    expect(problemsOf(mirror).join("\n")).toContain(expected);
  });

  it("labels a mirror without a usable name by its index", () => {
    const result = parseMirrorDefinitions(JSON.stringify([good, { source: good.source }]), context);
    expect(result.invalid[0]?.mirror).toBe("mirrors[1]");
    expect(result.invalid[0]?.error.message).toContain("name: is required");
  });

  it("refuses file sources when no roots are configured", () => {
    const result = parseMirrorDefinitions(JSON.stringify([good]), { ...context, allowedFileRoots: [] });
    expect(result.invalid[0]?.error.message).toContain(
      "source.path: must be inside ALLOWED_FILE_ROOTS, and none are configured",
    );
  });

  it("rejects a document that is not JSON or not a list, naming the setting", () => {
    expect(() => parseMirrorDefinitions("{", context)).toThrow(ConfigError);
    expect(() => parseMirrorDefinitions("{", context)).toThrow(/MIRRORS: must be valid JSON/);
    expect(() => parseMirrorDefinitions('{"x":1}', context)).toThrow(/MIRRORS: must be a JSON list/);
  });
});

describe("mirror settings", () => {
  it("has an hourly default schedule and reads the roots", () => {
    const settings = parseMirrorSettings({ ALLOWED_FILE_ROOTS: "/a,/b" });
    expect(settings.schedule).toBe("0 0 * * * *");
    expect(settings.allowedFileRoots).toEqual(["/a", "/b"]);
  });

  it("reads only the schedule for the timer's registration", () => {
    expect(parseMirrorSchedule({ MIRRORS: "[]", MIRRORS_FILE: "/also-set" })).toBe("0 0 * * * *");
    expect(parseMirrorSchedule({ MIRROR_SCHEDULE: "0 */15 * * * *" })).toBe("0 */15 * * * *");
    expect(() => parseMirrorSchedule({ MIRROR_SCHEDULE: "0 99 * * * *" })).toThrow(
      /MIRROR_SCHEDULE: must be a valid NCRONTAB expression/,
    );
  });

  it("names each bad setting", () => {
    expect(() =>
      parseMirrorSettings({
        MIRRORS: "[]",
        MIRRORS_FILE: "/m.json",
        MIRROR_SCHEDULE: "0 * * * *",
        MIRROR_RESOLVE_TTL: "-4",
        ALLOWED_FILE_ROOTS: "relative",
      }),
    ).toThrow(
      /MIRRORS: must not be set together with MIRRORS_FILE.*MIRROR_SCHEDULE: must be an NCRONTAB expression with six fields.*MIRROR_RESOLVE_TTL: must be a whole number.*ALLOWED_FILE_ROOTS: must list absolute directories/,
    );
  });
});
