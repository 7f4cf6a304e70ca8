/** Field profile in durable mode: a complete, uncommitted session and a late hash survive a restart. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { patternBytes, startTestEmulator, type TestEmulator } from "../../support/emulator.js";
import {
  commitFromSource,
  createSessionRequest,
  getItem,
  ops,
  putWhole,
  sessionStatus,
  uploadUrlOf,
} from "./fieldSupport.js";

describe("emulator field profile, durable mode", () => {
  const running: TestEmulator[] = [];
  let dataDir = "";
  afterEach(async () => {
    await Promise.all(running.splice(0).map((e) => e.close()));
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("keeps a complete, uncommitted session and the hash's due time across a restart", async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "emu-field-"));
    const first = await startTestEmulator({ dataDir, limits: { hashDelayMs: 1_000 } });
    running.push(first);
    const uploadPort = Number(new URL(first.uploadOrigin).port);
    const url = await uploadUrlOf(await createSessionRequest(first, "/kept.bin"));
    first.faults.add({ match: { route: "uploadFragment" }, fault: { type: "commitFails" } });
    const bytes = patternBytes(4000, 9);
    expect((await putWhole(url, bytes)).status).toBe(500);
    first.inspect.putItem(ops, "/other.bin", Buffer.from("x"));
    const late = await createSessionRequest(first, "/late.bin");
    expect((await putWhole(await uploadUrlOf(late), patternBytes(30))).status).toBe(201);
    await first.close();
    running.pop();

    const second = await startTestEmulator({ dataDir, uploadPort, limits: { hashDelayMs: 1_000 } });
    running.push(second);
    expect(await sessionStatus(url)).toEqual({ status: 200, ranges: [] });
    expect(second.inspect.sessions()).toMatchObject([{ awaitingCommit: true, receivedBytes: 4000 }]);
    expect((await putWhole(url, bytes)).status).toBe(416);
    expect((await getItem(second, "/late.bin")).file?.hashes).toEqual({});
    second.clock.advance(1_000);
    expect((await getItem(second, "/late.bin")).file?.hashes.quickXorHash).toBeDefined();
    expect((await commitFromSource(second, "/kept.bin", url)).status).toBe(201);
    expect(second.inspect.readItem(ops, "/kept.bin")?.equals(bytes)).toBe(true);
  });
});
