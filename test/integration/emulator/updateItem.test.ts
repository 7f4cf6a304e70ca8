/**
 * PATCH of an item's metadata (route `updateItem`): a new eTag, the same cTag (Microsoft Learn, driveItem
 * resource: cTag "is not changed if only the metadata is changed"), kept in durable mode.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { encodePath, startTestEmulator, type TestEmulator } from "../../support/emulator.js";
import { errorCode, getItem, type ItemJson, ops } from "./fieldSupport.js";

function patch(emu: TestEmulator, filePath: string, body: unknown): Promise<Response> {
  return emu.graph(`/drives/${ops}/root:${encodePath(filePath)}`, {
    method: "PATCH",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

describe("emulator updateItem (PATCH metadata)", () => {
  const running: TestEmulator[] = [];
  let dataDir = "";
  afterEach(async () => {
    await Promise.all(running.splice(0).map((e) => e.close()));
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    dataDir = "";
  });

  it("changes the eTag and keeps the cTag, and the description survives a restart", async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "emu-patch-"));
    const first = await startTestEmulator({ dataDir });
    running.push(first);
    first.inspect.putItem(ops, "/notes.txt", Buffer.from("hello"));
    const before = await getItem(first, "/notes.txt");
    const res = await patch(first, "/notes.txt", {
      description: "checked",
      fileSystemInfo: { lastModifiedDateTime: "2025-03-04T05:06:07Z" },
    });
    expect(res.status).toBe(200);
    const after = (await res.json()) as ItemJson & {
      description?: string;
      fileSystemInfo: { lastModifiedDateTime: string };
    };
    expect(after.eTag).not.toBe(before.eTag);
    expect(after.cTag).toBe(before.cTag);
    expect(after.description).toBe("checked");
    expect(after.fileSystemInfo.lastModifiedDateTime).toBe("2025-03-04T05:06:07Z");
    expect(first.inspect.requestLog().filter((r) => r.route === "updateItem")).toHaveLength(1);
    await first.close();
    running.pop();

    const second = await startTestEmulator({ dataDir });
    running.push(second);
    const reloaded = (await getItem(second, "/notes.txt")) as ItemJson & { description?: string };
    expect(reloaded.description).toBe("checked");
    expect(reloaded.eTag).toBe(after.eTag);
  });

  it("refuses fields it does not model (rename, move) with 400 naming the field", async () => {
    const emu = await startTestEmulator();
    running.push(emu);
    emu.inspect.putItem(ops, "/a.txt", Buffer.from("a"));
    const res = await patch(emu, "/a.txt", { name: "b.txt" });
    expect(res.status).toBe(400);
    expect(await errorCode(res)).toBe("invalidRequest");
    expect((await patch(emu, "/missing.txt", { description: "x" })).status).toBe(404);
  });
});
