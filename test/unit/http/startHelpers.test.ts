import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isDevelopmentStorage } from "../../../src/localhost/azurite.js";
import { findOnPath } from "../../../src/localhost/coreTools.js";
import { mergeSettings, readLocalSettings } from "../../../src/localhost/localSettings.js";

describe("graph-mirror start helpers", () => {
  it("starts Azurite only for development storage or no storage setting", () => {
    expect(isDevelopmentStorage(undefined)).toBe(true);
    expect(isDevelopmentStorage("")).toBe(true);
    expect(isDevelopmentStorage("UseDevelopmentStorage=true")).toBe(true);
    expect(isDevelopmentStorage("DefaultEndpointsProtocol=https;AccountName=x;AccountKey=y")).toBe(false);
  });

  it("finds an executable `func` on PATH and nothing else", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "gm-path-"));
    expect(findOnPath("func", { PATH: dir })).toBeUndefined();
    writeFileSync(path.join(dir, "func"), "#!/bin/sh\n");
    expect(findOnPath("func", { PATH: dir })).toBeUndefined(); // not executable
    chmodSync(path.join(dir, "func"), 0o755);
    expect(findOnPath("func", { PATH: `/nonexistent${path.delimiter}${dir}` })).toBe(path.join(dir, "func"));
  });

  it("reads local.settings.json Values under the real environment, and names a bad value", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "gm-settings-"));
    expect(await readLocalSettings(dir)).toEqual({});
    writeFileSync(
      path.join(dir, "local.settings.json"),
      JSON.stringify({ Values: { PORT: "7099", CHUNK_SIZE: "5MiB" } }),
    );
    const values = await readLocalSettings(dir);
    expect(mergeSettings(values, { PORT: "8000" })).toMatchObject({ PORT: "8000", CHUNK_SIZE: "5MiB" });
    writeFileSync(path.join(dir, "local.settings.json"), JSON.stringify({ Values: { PORT: 7099 } }));
    await expect(readLocalSettings(dir)).rejects.toThrow(/Values\.PORT must be a string/);
  });
});
