import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_DRIVE_IDS } from "../../../src/emulator/index.js";
import { startTestEmulator, type TestEmulator } from "../../support/emulator.js";

const ops = DEFAULT_DRIVE_IDS.opsDocuments;
let emu: TestEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

function patch(e: TestEmulator, path: string, body: unknown): Promise<Response> {
  return e.graph(`/drives/${ops}/root:${path}`, {
    method: "PATCH",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

describe("PATCH an item (updateItem): fileSystemInfo, as rclone sets dates", () => {
  it("keeps the dates, changes the eTag and not the cTag", async () => {
    emu = await startTestEmulator();
    const put = await emu.graph(`/drives/${ops}/root:/dated.txt:/content`, { method: "PUT", body: "x" });
    const before = (await put.json()) as { eTag: string; cTag: string };
    const when = "2020-02-03T04:05:06Z";
    const res = await patch(emu, "/dated.txt", { fileSystemInfo: { lastModifiedDateTime: when } });
    expect(res.status).toBe(200);
    const after = (await res.json()) as {
      eTag: string;
      cTag: string;
      fileSystemInfo: { lastModifiedDateTime: string };
    };
    expect(Date.parse(after.fileSystemInfo.lastModifiedDateTime)).toBe(Date.parse(when));
    expect(after.eTag).not.toBe(before.eTag);
    expect(after.cTag).toBe(before.cTag);
    expect(emu.inspect.requestLog().at(-1)?.route).toBe("updateItem");
  });

  it("answers 400 naming a property it does not model, and 404 for a missing item", async () => {
    emu = await startTestEmulator();
    await emu.graph(`/drives/${ops}/root:/a.txt:/content`, { method: "PUT", body: "x" });
    const rename = await patch(emu, "/a.txt", { name: "b.txt" });
    expect(rename.status).toBe(400);
    expect(await rename.text()).toContain("name: the emulator only updates fileSystemInfo");
    expect((await patch(emu, "/missing.txt", { fileSystemInfo: {} })).status).toBe(404);
  });
});
