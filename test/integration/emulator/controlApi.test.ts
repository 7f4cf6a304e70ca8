import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEFAULT_DRIVE_IDS,
  DEFAULT_TOKEN,
  type ItemSummary,
  type LoggedRequest,
  type RunningEmulator,
  startEmulator,
} from "../../../src/emulator/index.js";
import { putFragment } from "../../support/emulator.js";

const ops = DEFAULT_DRIVE_IDS.opsDocuments;

describe("emulator control API (/_emulator/, for out-of-process use)", () => {
  // The default clock: system time plus an offset that POST /_emulator/clock/advance moves.
  let emu: RunningEmulator;
  let control: string;

  beforeAll(async () => {
    emu = await startEmulator();
    control = emu.graphBaseUrl.replace(/\/v1\.0$/, "/_emulator");
  });
  afterAll(async () => {
    await emu.close();
  });

  const graph = (path: string, init: RequestInit = {}) =>
    fetch(`${emu.graphBaseUrl}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${DEFAULT_TOKEN}`, ...(init.headers as Record<string, string>) },
    });

  async function newSession(path: string): Promise<string> {
    const res = await graph(`/drives/${ops}/root:${path}:/createUploadSession`, {
      method: "POST",
      body: JSON.stringify({ item: { "@microsoft.graph.conflictBehavior": "replace" } }),
    });
    return ((await res.json()) as { uploadUrl: string }).uploadUrl;
  }

  it("describes itself without a Graph token", async () => {
    const res = await fetch(`${control}/info`);
    expect(res.status).toBe(200);
    const info = (await res.json()) as {
      graphBaseUrl: string;
      uploadOrigin: string;
      drives: { id: string }[];
    };
    expect(info.graphBaseUrl).toBe(emu.graphBaseUrl);
    expect(info.uploadOrigin).toBe(emu.uploadOrigin);
    expect(info.drives.map((d) => d.id)).toContain(ops);
  });

  it("lists items, serves their bytes and puts new versions", async () => {
    await graph(`/drives/${ops}/root:/ctl/a.txt:/content`, { method: "PUT", body: "alpha" });
    const items = (await (
      await fetch(`${control}/items?driveId=${encodeURIComponent(ops)}`)
    ).json()) as ItemSummary[];
    const file = items.find((i) => i.path === "/ctl/a.txt");
    expect(file).toMatchObject({ kind: "file", size: 5, name: "a.txt" });
    expect(file?.quickXorHash).toMatch(/=$/);
    const query = `driveId=${encodeURIComponent(ops)}&path=${encodeURIComponent("/ctl/a.txt")}`;
    const content = await fetch(`${control}/items/content?${query}`);
    expect(await content.text()).toBe("alpha");
    const put = await fetch(`${control}/items/content?${query}`, {
      method: "PUT",
      body: "changed elsewhere",
    });
    expect(put.status).toBe(200);
    const changed = (await put.json()) as { eTag: string; size: number };
    expect(changed.eTag).not.toBe(file?.eTag);
    expect(changed.size).toBe(17);
    expect((await fetch(`${control}/items/item?${query}`)).status).toBe(200);
    const missing = await fetch(`${control}/items/content?driveId=${encodeURIComponent(ops)}&path=/nope`);
    expect(missing.status).toBe(404);
    expect((await fetch(`${control}/items/content`)).status).toBe(400);
  });

  it("programs faults with the JSON rule format, lists and removes them", async () => {
    const add = await fetch(`${control}/faults`, {
      method: "POST",
      body: JSON.stringify({
        match: { route: "getDrive", times: "Infinity" },
        fault: { type: "status", status: 503, retryAfterSeconds: 2 },
      }),
    });
    expect(add.status).toBe(201);
    const { id } = (await add.json()) as { id: string };
    expect((await graph(`/drives/${ops}`)).status).toBe(503);
    expect((await graph(`/drives/${ops}`)).status).toBe(503);
    const listed = (await (await fetch(`${control}/faults`)).json()) as { id: string; hits: number }[];
    expect(listed.find((f) => f.id === id)?.hits).toBe(2);
    expect((await fetch(`${control}/faults/${id}`, { method: "DELETE" })).status).toBe(204);
    expect((await graph(`/drives/${ops}`)).status).toBe(200);
    expect((await fetch(`${control}/faults/${id}`, { method: "DELETE" })).status).toBe(404);

    const bad = await fetch(`${control}/faults`, {
      method: "POST",
      body: JSON.stringify({ match: { nth: 0 }, fault: { type: "explode" } }),
    });
    expect(bad.status).toBe(400);
    const message = ((await bad.json()) as { error: { message: string } }).error.message;
    expect(message).toContain("match.nth");
    expect(message).toContain("fault.type");

    await fetch(`${control}/faults`, {
      method: "POST",
      body: JSON.stringify({ match: { route: "getRoot" }, fault: { type: "lock" } }),
    });
    expect((await fetch(`${control}/faults`, { method: "DELETE" })).status).toBe(204);
    expect((await graph(`/drives/${ops}/root`)).status).toBe(200);
  });

  it("advances the clock so sessions expire without waiting", async () => {
    const url = await newSession("/clock.bin");
    expect((await fetch(url)).status).toBe(200);
    const advance = await fetch(`${control}/clock/advance`, {
      method: "POST",
      body: JSON.stringify({ ms: 16 * 60_000 }),
    });
    expect(advance.status).toBe(200);
    expect(((await advance.json()) as { now: number }).now).toBeGreaterThan(Date.now() + 15 * 60_000);
    expect((await fetch(url)).status).toBe(404);
    const bad = await fetch(`${control}/clock/advance`, { method: "POST", body: JSON.stringify({ ms: -1 }) });
    expect(bad.status).toBe(400);
  });

  it("serves the request log without query strings, clears it, and counts", async () => {
    const url = await newSession("/log.bin");
    await putFragment(url, Buffer.from("log"), 0, 3);
    const log = (await (await fetch(`${control}/requests`)).json()) as LoggedRequest[];
    expect(log.length).toBeGreaterThan(0);
    expect(JSON.stringify(log)).not.toContain("tempauth");
    const fragment = log.find((l) => l.route === "uploadFragment");
    expect(fragment).toMatchObject({
      method: "PUT",
      host: "upload",
      status: 201,
      hadAuthorization: false,
      requestBytes: 3,
    });
    expect(log.some((l) => l.path.startsWith("/_emulator"))).toBe(false);
    const counters = (await (await fetch(`${control}/counters`)).json()) as Record<string, number>;
    expect(counters.sessionsCreated).toBeGreaterThanOrEqual(2);
    expect(counters["route.uploadFragment"]).toBeGreaterThanOrEqual(1);
    expect(counters["status.201"]).toBeGreaterThanOrEqual(1);
    const sessions = await (await fetch(`${control}/sessions`)).text();
    expect(sessions).not.toContain("tempauth");
    expect((await fetch(`${control}/requests`, { method: "DELETE" })).status).toBe(204);
    expect(await (await fetch(`${control}/requests`)).json()).toEqual([]);
  });

  it("answers 404 for unknown control endpoints", async () => {
    expect((await fetch(`${control}/nothing`)).status).toBe(404);
  });

  it("refuses to advance an injected clock that cannot advance", async () => {
    const fixed = await startEmulator({ clock: { now: () => 0 } });
    try {
      const res = await fetch(`${fixed.graphBaseUrl.replace(/\/v1\.0$/, "")}/_emulator/clock/advance`, {
        method: "POST",
        body: JSON.stringify({ ms: 1 }),
      });
      expect(res.status).toBe(409);
    } finally {
      await fixed.close();
    }
  });
});
