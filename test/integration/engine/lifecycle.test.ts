import { randomBytes } from "node:crypto";
import { utimes, writeFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quickXorHashOf } from "../../../src/core/shared/quickXorHash.js";
import { DEFAULT_DRIVE_IDS, DEFAULT_USERS } from "../../../src/emulator/index.js";
import { DRIVE, drive, fragmentBytesSent, jobFor, KIB320, startWorld, type World } from "./support.js";

const SIZE = 4 * KIB320 + 999;
let world: World;
beforeAll(async () => {
  // The upload URL dies 30 min after creation; expirationDateTime slides 15 min (docs/graph-protocol.md's two clocks).
  world = await startWorld({
    uploadUrlLifetimeMs: 30 * 60_000,
    sessionSlidingTtlMs: 15 * 60_000,
    drivesPageSize: 1,
  });
});
afterAll(async () => {
  await world.close();
});

describe("session lifetime, source changes, destinations", () => {
  it("a session idle past expirationDateTime is replaced and the upload restarts from byte 0", async () => {
    const { path, bytes } = await world.file("expiry.bin", SIZE);
    const job = jobFor(
      path,
      { type: "drive", driveId: DRIVE, path: "/life/expiry.bin" },
      { simpleUploadMax: 0 },
    );
    const deps = world.deps();
    const run = await drive(job, deps, (j) => j.confirmedOffset >= 2 * KIB320);
    world.clock.advance(16 * 60_000);
    await drive(run.job, deps, undefined, 200, run);
    expect(run.job.status).toBe("completed");
    expect(run.events.some((e) => e.type === "session-recreated" && e.reason === "session-expired")).toBe(
      true,
    );
    expect(world.emu.inspect.readItem(DRIVE, "/life/expiry.bin")?.equals(bytes)).toBe(true);
  });

  it("an upload URL past its absolute lifetime is refused (401) mid-upload and a new session finishes the job", async () => {
    const { path, bytes } = await world.file("url-expiry.bin", SIZE);
    const job = jobFor(
      path,
      { type: "drive", driveId: DRIVE, path: "/life/url-expiry.bin" },
      { simpleUploadMax: 0 },
    );
    const deps = world.deps();
    const run = await drive(job, deps, (j) => j.confirmedOffset >= KIB320);
    // Keep the sliding expiry fresh with a fragment every 13 min, then pass the 30 min URL lifetime.
    world.clock.advance(13 * 60_000);
    await drive(run.job, deps, (j) => j.confirmedOffset >= 2 * KIB320, 10, run);
    world.clock.advance(13 * 60_000);
    await drive(run.job, deps, (j) => j.confirmedOffset >= 3 * KIB320, 10, run);
    world.clock.advance(5 * 60_000);
    await drive(run.job, deps, undefined, 200, run);
    expect(run.job.status).toBe("completed");
    expect(
      run.events.some((e) => e.type === "session-recreated" && e.reason === "upload-url-expired"),
      JSON.stringify(run.events.filter((e) => e.type !== "chunk-confirmed")),
    ).toBe(true);
    expect(world.emu.inspect.readItem(DRIVE, "/life/url-expiry.bin")?.equals(bytes)).toBe(true);
  });

  it("the engine's own lifetime check replaces an old session before the server refuses it", async () => {
    const { path } = await world.file("own-check.bin", SIZE);
    const job = jobFor(
      path,
      { type: "drive", driveId: DRIVE, path: "/life/own-check.bin" },
      { simpleUploadMax: 0 },
    );
    const deps = world.deps({ sessionLifetimeMs: 10 * 60_000 });
    const run = await drive(job, deps, (j) => j.confirmedOffset >= KIB320);
    world.clock.advance(10 * 60_000);
    world.emu.inspect.clearLog();
    await drive(run.job, deps, undefined, 200, run);
    expect(run.job.status).toBe("completed");
    expect(world.emu.inspect.requestLog().every((r) => r.status < 400)).toBe(true);
  });

  it("a source rewritten mid-upload: the session is cancelled and the new version uploaded", async () => {
    const { path } = await world.file("changing.bin", SIZE);
    const job = jobFor(
      path,
      { type: "drive", driveId: DRIVE, path: "/life/changing.bin" },
      { simpleUploadMax: 0 },
    );
    const deps = world.deps();
    const run = await drive(job, deps, (j) => j.confirmedOffset >= 2 * KIB320);
    const replacement = randomBytes(SIZE + 100);
    await writeFile(path, replacement);
    await utimes(path, new Date(), new Date(Date.now() + 5_000));
    await drive(run.job, deps, undefined, 200, run);
    expect(run.job.status).toBe("completed");
    expect(run.events).toContainEqual({ type: "source-changed", action: "restart" });
    expect(run.job.result?.quickXorHash).toBe(quickXorHashOf(replacement));
    expect(world.emu.inspect.readItem(DRIVE, "/life/changing.bin")?.equals(replacement)).toBe(true);
    expect(world.emu.inspect.requestLog().some((r) => r.route === "uploadCancel")).toBe(true);
  });

  it("a source rewritten mid-upload fails the job under onSourceChange=fail", async () => {
    const { path } = await world.file("changing2.bin", SIZE);
    const job = jobFor(
      path,
      { type: "drive", driveId: DRIVE, path: "/life/changing2.bin" },
      { simpleUploadMax: 0 },
    );
    const deps = world.deps({ onSourceChange: "fail" });
    const run = await drive(job, deps, (j) => j.confirmedOffset >= KIB320);
    await writeFile(path, randomBytes(SIZE));
    await utimes(path, new Date(), new Date(Date.now() + 9_000));
    await drive(run.job, deps, undefined, 50, run);
    expect(run.job.status).toBe("failed");
    expect(run.job.lastError?.code).toBe("source-changed");
    expect(world.emu.inspect.readItem(DRIVE, "/life/changing2.bin")).toBeUndefined();
  });

  it("resolves a user's OneDrive by UPN", async () => {
    const { path, bytes } = await world.file("od.bin", 1000);
    const run = await drive(
      jobFor(path, {
        type: "onedrive",
        user: DEFAULT_USERS.megan.userPrincipalName,
        path: "/Backups/od.bin",
      }),
      world.deps(),
    );
    expect(run.job.status, JSON.stringify(run.job.lastError)).toBe("completed");
    expect(run.job.target?.driveId).toBe(DEFAULT_DRIVE_IDS.meganOneDrive);
    expect(
      world.emu.inspect.readItem(DEFAULT_DRIVE_IDS.meganOneDrive, "/Backups/od.bin")?.equals(bytes),
    ).toBe(true);
  });

  it.each([
    ["Reports", DEFAULT_DRIVE_IDS.opsReports],
    ["reports", DEFAULT_DRIVE_IDS.opsReports],
    ["Shared Documents", DEFAULT_DRIVE_IDS.opsDocuments],
  ])("resolves library %j of a site URL across drive pages", async (library, driveId) => {
    const { path } = await world.file(`sp-${library}.bin`, 10);
    const site = "https://contoso.sharepoint.com/sites/Ops";
    const run = await drive(
      jobFor(path, { type: "sharepoint", site, library, path: "/in/x.bin" }),
      world.deps(),
    );
    expect(run.job.status, JSON.stringify(run.job.lastError)).toBe("completed");
    expect(run.job.target?.driveId).toBe(driveId);
  });

  it("an unknown library fails with the list of existing libraries", async () => {
    const { path } = await world.file("sp-none.bin", 10);
    const site = "https://contoso.sharepoint.com/sites/Ops";
    const run = await drive(
      jobFor(path, { type: "sharepoint", site, library: "Nope", path: "/x.bin" }),
      world.deps(),
    );
    expect(run.job.status).toBe("failed");
    expect(run.job.lastError?.code).toBe("not-found");
    expect(run.job.lastError?.message).toContain("Documents, Reports");
  });

  it("every upload-host request was free of Authorization; fragments sent once per byte where nothing failed", () => {
    const log = world.emu.inspect.requestLog();
    expect(log.filter((r) => r.host === "upload").every((r) => !r.hadAuthorization)).toBe(true);
    expect(fragmentBytesSent(world.emu)).toBeGreaterThan(0);
  });
});

describe("session cancel over the wire", () => {
  it("DELETE on the upload URL succeeds (204, no body) and the session is gone afterwards", async () => {
    const graph = world.deps().graph;
    const target = { driveId: DRIVE, path: "/life/cancel-me.bin" };
    const session = await graph.createUploadSession(target, { conflict: "replace" });
    // 204 is a null-body status: the client must not mistake it for a network failure.
    await expect(graph.cancelUploadSession(session.uploadUrl)).resolves.toBeUndefined();
    const cancel = world.emu.inspect.requestLog().findLast((r) => r.route === "uploadCancel");
    expect(cancel?.status).toBe(204);
    await expect(graph.getUploadStatus(session.uploadUrl)).rejects.toMatchObject({ status: 404 });
  });
});
