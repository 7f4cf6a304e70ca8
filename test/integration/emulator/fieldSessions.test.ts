/**
 * Field profile, upload sessions: one live session per file, commit failures that keep the session, and the
 * documented `@microsoft.graph.sourceUrl` recovery (docs/emulator.md "Profiles").
 */
import { describe, expect, it } from "vitest";
import { startEmulator } from "../../../src/emulator/index.js";
import { encodePath, patternBytes } from "../../support/emulator.js";
import {
  commitFromSource,
  createSessionRequest,
  errorCode,
  type ItemJson,
  ops,
  putWhole,
  requestsOn,
  sessionStatus,
  startedPerTest,
  uploadUrlOf,
} from "./fieldSupport.js";

describe("emulator field profile: upload sessions", () => {
  const start = startedPerTest();

  it("is the default profile, reported by info; lenient on request; a bad profile names the option", async () => {
    const field = await start();
    expect(field.profile).toBe("field");
    const info = await fetch(`${field.graphBaseUrl.replace(/\/v1\.0$/, "")}/_emulator/info`);
    expect(((await info.json()) as { profile: string }).profile).toBe("field");
    const lenient = await start({ profile: "lenient" });
    expect(lenient.profile).toBe("lenient");
    const bad = { profile: "strict" } as unknown as Parameters<typeof startEmulator>[0];
    await expect(startEmulator(bad)).rejects.toThrow(/profile.*must be field or lenient/);
  });

  it("refuses a second session for a file with a live one (409) until it is deleted; lenient allows it", async () => {
    const emu = await start();
    const url = await uploadUrlOf(await createSessionRequest(emu, "/Busy.bin"));
    const second = await createSessionRequest(emu, "/busy.bin", "rename");
    expect(second.status).toBe(409);
    const body = (await second.json()) as { error: { code: string; message: string } };
    expect(body.error).toMatchObject({
      code: "nameAlreadyExists",
      message: "An upload session already exists for this file",
    });
    expect((await fetch(url, { method: "DELETE" })).status).toBe(204);
    expect((await createSessionRequest(emu, "/Busy.bin")).status).toBe(200);
    expect(emu.inspect.counters().sessionsCreated).toBe(2);

    const lenient = await start({ profile: "lenient" });
    await uploadUrlOf(await createSessionRequest(lenient, "/Busy.bin"));
    expect((await createSessionRequest(lenient, "/Busy.bin")).status).toBe(200);
  });

  it("commitFails: every byte stored, no item, the session stays complete and uncommitted", async () => {
    const emu = await start();
    const url = await uploadUrlOf(await createSessionRequest(emu, "/report.bin"));
    emu.faults.add({ match: { route: "uploadFragment" }, fault: { type: "commitFails", status: 500 } });
    const bytes = patternBytes(1000);
    const failed = await putWhole(url, bytes);
    expect(failed.status).toBe(500);
    expect(await errorCode(failed)).toBe("generalException");
    expect(emu.inspect.items(ops).some((i) => i.path === "/report.bin")).toBe(false);
    expect(await sessionStatus(url)).toEqual({ status: 200, ranges: [] });
    const again = await putWhole(url, bytes);
    expect(again.status).toBe(416);
    expect(await errorCode(again)).toBe("invalidRange");
    // The uncommitted session still blocks a new one (oneSessionPerFile).
    expect((await createSessionRequest(emu, "/report.bin")).status).toBe(409);
    expect(emu.inspect.sessions()).toMatchObject([{ awaitingCommit: true, receivedBytes: 1000 }]);
    expect(requestsOn(emu, "uploadFragment")).toBe(2);
  });

  it("commits the kept session with PUT and @microsoft.graph.sourceUrl (201), and the session ends", async () => {
    const emu = await start();
    const url = await uploadUrlOf(await createSessionRequest(emu, "/final report.bin"));
    emu.faults.add({
      match: { route: "uploadFragment" },
      fault: { type: "commitFails", code: "serviceNotAvailable" },
    });
    const bytes = patternBytes(2000, 7);
    expect((await putWhole(url, bytes)).status).toBe(500);
    const committed = await commitFromSource(emu, "/final report.bin", url);
    expect(committed.status).toBe(201);
    const item = (await committed.json()) as ItemJson;
    expect(item).toMatchObject({ name: "final report.bin", size: 2000 });
    expect(emu.inspect.readItem(ops, "/final report.bin")?.equals(bytes)).toBe(true);
    expect(await sessionStatus(url)).toEqual({ status: 404 });
    expect(emu.inspect.counters()).toMatchObject({
      sessionsCommittedFromSourceUrl: 1,
      sessionsCompleted: 1,
      sessionsUncommitted: 1,
      "route.commitFromUploadSession": 1,
    });
    // The same commit again: the session is gone.
    expect((await commitFromSource(emu, "/final report.bin", url)).status).toBe(404);
  });

  it("commits through items/{parentId}:/{name} under another name, and DELETE still cancels a kept session", async () => {
    const emu = await start();
    const folder = await emu.graph(`/drives/${ops}/root/children`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Inbox", folder: {} }),
    });
    const parentId = ((await folder.json()) as { id: string }).id;
    const url = await uploadUrlOf(await createSessionRequest(emu, "/Inbox/a.bin"));
    emu.faults.add({ match: { route: "uploadFragment" }, fault: { type: "commitFails" } });
    await putWhole(url, patternBytes(10));
    const res = await emu.graph(`/drives/${ops}/items/${parentId}:/${encodePath("b.bin")}`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "b.bin", "@microsoft.graph.sourceUrl": url }),
    });
    expect(res.status).toBe(201);
    expect(emu.inspect.readItem(ops, "/Inbox/b.bin")?.length).toBe(10);

    const other = await uploadUrlOf(await createSessionRequest(emu, "/Inbox/c.bin"));
    emu.faults.add({ match: { route: "uploadFragment" }, fault: { type: "commitFails" } });
    await putWhole(other, patternBytes(10));
    expect((await fetch(other, { method: "DELETE" })).status).toBe(204);
    expect((await commitFromSource(emu, "/Inbox/c.bin", other)).status).toBe(404);
  });

  it("answers 400 for a sourceUrl that is not an upload URL, and 400 while bytes are missing", async () => {
    const emu = await start();
    const foreign = await commitFromSource(emu, "/x.bin", "https://contoso.sharepoint.com/up/abc?tempauth=1");
    expect(foreign.status).toBe(400);
    const text = JSON.stringify(await foreign.json());
    expect(text).not.toContain("tempauth");
    const url = await uploadUrlOf(await createSessionRequest(emu, "/x.bin"));
    expect((await commitFromSource(emu, "/x.bin", url)).status).toBe(400);
    const wrongSecret = url.replace(/tempauth=[^&]+/, "tempauth=nope");
    expect((await commitFromSource(emu, "/x.bin", wrongSecret)).status).toBe(404);
  });

  it("a deferred commit (POST uploadUrl) that fails keeps the session; POST again commits", async () => {
    const emu = await start();
    const url = await uploadUrlOf(
      await createSessionRequest(emu, "/later.bin", "replace", { deferCommit: true }),
    );
    expect((await putWhole(url, patternBytes(50))).status).toBe(202);
    emu.faults.add({ match: { route: "uploadCommit" }, fault: { type: "commitFails", status: 503 } });
    expect((await fetch(url, { method: "POST" })).status).toBe(503);
    expect(await sessionStatus(url)).toEqual({ status: 200, ranges: [] });
    expect((await fetch(url, { method: "POST" })).status).toBe(201);
    expect(requestsOn(emu, "uploadCommit")).toBe(2);
  });

  it("a name conflict at completion keeps the session in field (recoverable with rename), ends it in lenient", async () => {
    for (const profile of ["field", "lenient"] as const) {
      const emu = await start({ profile });
      const url = await uploadUrlOf(await createSessionRequest(emu, "/clash.bin", "fail"));
      emu.inspect.putItem(ops, "/clash.bin", Buffer.from("someone else"));
      const res = await putWhole(url, patternBytes(20));
      expect(res.status).toBe(409);
      if (profile === "lenient") {
        expect(await sessionStatus(url)).toEqual({ status: 404 });
        continue;
      }
      expect(await sessionStatus(url)).toEqual({ status: 200, ranges: [] });
      const renamed = await commitFromSource(emu, "/clash.bin", url, "rename");
      expect(renamed.status).toBe(201);
      expect(((await renamed.json()) as ItemJson).name).toBe("clash 1.bin");
    }
  });
});
