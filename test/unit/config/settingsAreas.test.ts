/**
 * src/config/settings/: one list per area, concatenated by src/config/settings.ts. Each list holds its own area's
 * settings, so a setting added to the wrong file (and so documented under the wrong area) fails here.
 */
import { describe, expect, it } from "vitest";
import { AUTH_SETTINGS } from "../../../src/config/settings/auth.js";
import { GRAPH_SETTINGS } from "../../../src/config/settings/graph.js";
import { HTTP_API_SETTINGS } from "../../../src/config/settings/httpApi.js";
import { MIRROR_SETTINGS } from "../../../src/config/settings/mirror.js";
import { PIPELINE_SETTINGS } from "../../../src/config/settings/pipeline.js";
import { PLATFORM_SETTINGS } from "../../../src/config/settings/platform.js";
import { SFTP_SETTINGS } from "../../../src/config/settings/sftp.js";
import { STORAGE_SETTINGS } from "../../../src/config/settings/storage.js";
import type { SettingArea, SettingInfo } from "../../../src/config/settings/types.js";
import { SETTINGS } from "../../../src/config/settings.js";

const LISTS: [SettingArea, readonly SettingInfo[]][] = [
  ["auth", AUTH_SETTINGS],
  ["graph", GRAPH_SETTINGS],
  ["storage", STORAGE_SETTINGS],
  ["pipeline", PIPELINE_SETTINGS],
  ["http-api", HTTP_API_SETTINGS],
  ["sftp", SFTP_SETTINGS],
  ["platform", PLATFORM_SETTINGS],
  ["mirror", MIRROR_SETTINGS],
];

/** Set by the operating system but read only by the authentication parser, so listed with it. */
const AMBIENT_READ_BY_AUTH = ["PATH", "HOME", "USERPROFILE", "XDG_CONFIG_HOME", "APPDATA"];

describe("src/config/settings/", () => {
  it.each(LISTS)("the %s list holds only that area's settings", (area, list) => {
    expect(list.length).toBeGreaterThan(0);
    const strays = list.filter(
      (s) => s.area !== area && !(area === "auth" && AMBIENT_READ_BY_AUTH.includes(s.name)),
    );
    expect(strays.map((s) => `${s.name} (${s.area})`)).toEqual([]);
  });

  it("the platform settings listed with auth are the ambient ones the auth parser reads", () => {
    const platform = AUTH_SETTINGS.filter((s) => s.area === "platform");
    expect(platform.map((s) => s.name).sort()).toEqual([...AMBIENT_READ_BY_AUTH].sort());
    for (const s of platform) expect(s.scope, s.name).toBe("ambient");
  });

  it("SETTINGS is every list, each once, in area order", () => {
    expect(SETTINGS).toEqual(LISTS.flatMap(([, list]) => list));
  });
});
