/**
 * `graph-mirror start` before `func start`: local.settings.json is made from the sample when absent and never
 * overwritten when present; Core Tools gets FUNCTIONS_WORKER_RUNTIME=node.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  coreToolsEnv,
  ensureLocalSettings,
  LOCAL_SETTINGS,
  LOCAL_SETTINGS_SAMPLE,
} from "../../../src/localhost/coreToolsSetup.js";

const REPO = path.resolve(import.meta.dirname, "../../..");
const SAMPLE = readFileSync(path.join(REPO, LOCAL_SETTINGS_SAMPLE), "utf8");

function appDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "gm-coretools-"));
  writeFileSync(path.join(dir, LOCAL_SETTINGS_SAMPLE), SAMPLE);
  return dir;
}

describe("Core Tools setup", () => {
  it("creates local.settings.json from the sample when there is none", async () => {
    const dir = appDir();
    expect(await ensureLocalSettings(dir)).toBe("created");
    const created = readFileSync(path.join(dir, LOCAL_SETTINGS), "utf8");
    expect(created).toBe(SAMPLE);
    expect((JSON.parse(created) as { Values: Record<string, string> }).Values.FUNCTIONS_WORKER_RUNTIME).toBe(
      "node",
    );
  });

  it("never overwrites an existing local.settings.json", async () => {
    const dir = appDir();
    const mine = '{"IsEncrypted": false, "Values": {"CHUNK_SIZE": "20MiB"}}';
    writeFileSync(path.join(dir, LOCAL_SETTINGS), mine);
    expect(await ensureLocalSettings(dir)).toBe("kept");
    expect(readFileSync(path.join(dir, LOCAL_SETTINGS), "utf8")).toBe(mine);
  });

  it("runs func start with the Node.js worker, keeping every other setting", () => {
    expect(coreToolsEnv({ CHUNK_SIZE: "20MiB" })).toEqual({
      CHUNK_SIZE: "20MiB",
      FUNCTIONS_WORKER_RUNTIME: "node",
    });
    expect(coreToolsEnv({ FUNCTIONS_WORKER_RUNTIME: "dotnet-isolated" }).FUNCTIONS_WORKER_RUNTIME).toBe(
      "node",
    );
  });
});
