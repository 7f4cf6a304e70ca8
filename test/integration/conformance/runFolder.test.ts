/**
 * The conformance suite's footprint (docs/emulator.md, "Checking the emulator against Microsoft Graph"): one
 * folder per run under /graph-mirror-conformance, removed with everything in it; the parent stays.
 */
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_DRIVE_IDS, DEFAULT_TOKEN } from "../../../src/emulator/index.js";
import { CONFORMANCE_ROOT, createRunFolder, deleteRunFolder } from "../../conformance/runFolder.js";
import { startTestEmulator, type TestEmulator } from "../../support/emulator.js";

describe("conformance run folder", () => {
  let emu: TestEmulator | undefined;
  afterEach(async () => {
    await emu?.close();
  });

  it("creates one folder per run and deletes it with its content, leaving other runs alone", async () => {
    emu = await startTestEmulator();
    const driveId = DEFAULT_DRIVE_IDS.opsDocuments;
    const access = {
      graphBaseUrl: emu.graphBaseUrl,
      tokens: { getToken: async () => DEFAULT_TOKEN },
      driveId,
    };
    const mine = await createRunFolder(access);
    const other = await createRunFolder(access);
    expect(mine).toMatch(new RegExp(`^/${CONFORMANCE_ROOT}/\\d{8}T\\d{6}Z-[0-9a-f]{8}$`));
    expect(other).not.toBe(mine);
    emu.inspect.putItem(driveId, `${mine}/deep/file.bin`, Buffer.from("x"));

    await deleteRunFolder(access, mine);
    const paths = emu.inspect.items(driveId).map((i) => i.path);
    expect(paths.some((p) => p.startsWith(mine))).toBe(false);
    expect(paths).toContain(other);
    expect(paths).toContain(`/${CONFORMANCE_ROOT}`);
    // Deleting again (a cleanup after a cleanup) is fine.
    await deleteRunFolder(access, mine);
  });
});
