/**
 * The service changes items on its own after an upload (docs/graph-protocol.md "What the service does that the documentation
 * barely says"): metadata extraction gives photos and media a new eTag with the same cTag and content; property
 * promotion rewrites Office files. None of that is "changed by someone else": the mirror must keep following
 * those files. A real edit by someone else still is, and must be loud (run result `conflicts`, exit code 3).
 */
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { LocalMirrorResult } from "../../../src/cli/localRun.js";
import { DEFAULT_DRIVE_IDS } from "../../../src/emulator/index.js";
import { passExitCode } from "../../../src/mirror/passSummary.js";
import { type MirrorWorld, startMirrorWorld } from "./harness.js";

const drive = DEFAULT_DRIVE_IDS.opsReports;

describe("mirror and the service's own changes at the destination", () => {
  let world: MirrorWorld;
  afterEach(async () => {
    await world?.close();
  });

  const mirror = (extra: Record<string, unknown> = {}) => ({
    name: "media",
    source: { type: "file", path: world.source },
    destinations: [{ type: "drive", driveId: drive, path: "/Mirror" }],
    ...extra,
  });
  const runOf = (result: LocalMirrorResult) => result.pass.runs[0]?.run;
  const conflictRecords = async () =>
    (await world.state()).history.snapshot().records.filter((r) => r.outcome === "conflict-skipped");

  it("a new eTag alone (metadata extraction) does not stop our next change from being uploaded", async () => {
    world = await startMirrorWorld();
    await world.write("photos/cat.jpg", "jpeg v1");
    await world.run([mirror()]);
    const before = world.emu.inspect.item(drive, "/Mirror/photos/cat.jpg");
    const touched = world.emu.inspect.touchMetadata(drive, "/Mirror/photos/cat.jpg");
    expect(touched.eTag).not.toBe(before?.eTag);
    expect(touched.cTag).toBe(before?.cTag);

    await world.write("photos/cat.jpg", "jpeg v2, retouched");
    const second = await world.run([mirror()]);
    expect(world.emu.inspect.readItem(drive, "/Mirror/photos/cat.jpg")?.toString()).toBe(
      "jpeg v2, retouched",
    );
    expect(runOf(second)).toMatchObject({ result: "ok", conflicts: 0, jobsCreated: 1 });
    expect(second.jobs.map((j) => j.status)).toEqual(["completed"]);
    expect(passExitCode(second.pass, second.jobs)).toBe(0);
    expect(await conflictRecords()).toEqual([]);

    // And the pass after that, over unchanged files, makes no Graph call at all.
    world.emu.inspect.clearLog();
    const third = await world.run([mirror()]);
    expect(runOf(third)).toMatchObject({ result: "ok", unchanged: 1, jobsCreated: 0 });
    expect(world.emu.inspect.requestLog()).toEqual([]);
  });

  it("an Office file rewritten by the service is not someone else's change", async () => {
    world = await startMirrorWorld({ serviceModifiesOfficeFiles: true });
    await world.write("plan.docx", "docx v1");
    const first = await world.run([mirror()]);
    expect(first.jobs.map((j) => [j.status, j.result?.verification])).toEqual([["completed", "size-only"]]);
    // The manifest holds what the service stored (its size and hash), not what we sent.
    const stored = world.emu.inspect.item(drive, "/Mirror/plan.docx");
    const entry = (await world.state()).manifest.snapshot().entries[0];
    expect(entry).toMatchObject({ size: stored?.size, cTag: stored?.cTag });
    expect(entry?.size).toBeGreaterThan("docx v1".length);
    // Property promotion also gives the item a new eTag later on.
    world.emu.inspect.touchMetadata(drive, "/Mirror/plan.docx");

    world.emu.inspect.clearLog();
    const second = await world.run([mirror()]);
    expect(runOf(second)).toMatchObject({ result: "ok", unchanged: 1, jobsCreated: 0, conflicts: 0 });
    expect(world.emu.inspect.requestLog()).toEqual([]);

    await world.write("plan.docx", "docx v2, longer");
    const third = await world.run([mirror()]);
    expect(runOf(third)).toMatchObject({ result: "ok", jobsCreated: 1, conflicts: 0 });
    expect(third.jobs.map((j) => j.status)).toEqual(["completed"]);
    expect(world.emu.inspect.readItem(drive, "/Mirror/plan.docx")?.toString()).toMatch(/^docx v2, longer/);
    expect(passExitCode(third.pass, third.jobs)).toBe(0);
    expect(await conflictRecords()).toEqual([]);
  });

  describe("someone else's real edit", () => {
    async function editedBySomeone(policy: string) {
      world = await startMirrorWorld();
      await world.write("report.csv", "ours v1");
      await world.run([mirror({ onDestinationChanged: policy })]);
      world.emu.inspect.putItem(drive, "/Mirror/report.csv", Buffer.from("theirs!"));
      await world.write("report.csv", "ours v2");
      world.emu.inspect.clearLog();
      return world.run([mirror({ onDestinationChanged: policy })]);
    }

    it("skip-and-report: not uploaded, counted as a conflict, result 'conflicts', exit code 3", async () => {
      const result = await editedBySomeone("skip-and-report");
      expect(world.emu.inspect.readItem(drive, "/Mirror/report.csv")?.toString()).toBe("theirs!");
      expect(runOf(result)).toMatchObject({ result: "conflicts", conflicts: 1, jobsCreated: 0 });
      expect(result.pass.runs[0]?.destinations[0]?.conflicts[0]?.detail).toContain(
        "changed by someone else since our last upload (its content tag (cTag) changed)",
      );
      expect(passExitCode(result.pass, result.jobs)).toBe(3);
      expect((await conflictRecords()).map((r) => [r.path, r.errorCode])).toEqual([
        ["report.csv", "destination-changed"],
      ]);
      const runs = (await world.state()).history.snapshot().runs;
      expect(runs.map((r) => r.result).sort()).toEqual(["conflicts", "ok"]);
      // Planning read the one changed file; nothing was written.
      expect(world.writes()).toEqual([]);
      expect(world.emu.inspect.requestLog().map((r) => r.route)).toEqual(["getItem"]);
    });

    it("keep-both: ours lands beside theirs, and that is not a conflict", async () => {
      const result = await editedBySomeone("keep-both");
      expect(world.emu.inspect.readItem(drive, "/Mirror/report.csv")?.toString()).toBe("theirs!");
      expect(world.emu.inspect.readItem(drive, "/Mirror/report 1.csv")?.toString()).toBe("ours v2");
      expect(runOf(result)).toMatchObject({ result: "ok", conflicts: 0, jobsCreated: 1 });
      expect(passExitCode(result.pass, result.jobs)).toBe(0);
    });
  });

  describe("deletions", () => {
    const deleting = () => mirror({ propagateDeletes: true });

    it("a service eTag bump does not prevent the deletion, which is conditional on the cTag", async () => {
      world = await startMirrorWorld();
      await world.write("clip.mp4", "video");
      await world.run([deleting()]);
      world.emu.inspect.touchMetadata(drive, "/Mirror/clip.mp4");
      const cTag = world.emu.inspect.item(drive, "/Mirror/clip.mp4")?.cTag;
      await rm(path.join(world.source, "clip.mp4"));
      const result = await world.run([deleting()]);
      expect(world.emu.inspect.readItem(drive, "/Mirror/clip.mp4")).toBeUndefined();
      expect(runOf(result)).toMatchObject({ result: "ok", deletions: 1, conflicts: 0 });
      expect(world.deleteIfMatch).toEqual([cTag]);
      expect(cTag).toMatch(/^"c:/);
    });

    it("a real edit by someone else still prevents the deletion, and is reported", async () => {
      world = await startMirrorWorld();
      await world.write("clip.mp4", "video");
      await world.run([deleting()]);
      world.emu.inspect.putItem(drive, "/Mirror/clip.mp4", Buffer.from("their cut"));
      await rm(path.join(world.source, "clip.mp4"));
      world.emu.inspect.clearLog();
      const result = await world.run([deleting()]);
      expect(world.emu.inspect.readItem(drive, "/Mirror/clip.mp4")?.toString()).toBe("their cut");
      expect(runOf(result)).toMatchObject({ result: "conflicts", deletions: 0, conflicts: 1 });
      expect(world.deleteIfMatch).toEqual([]);
      expect(world.writes()).toEqual([]);
      expect(passExitCode(result.pass, result.jobs)).toBe(3);
    });
  });

  describe("a manifest written before cTags were recorded", () => {
    /** Rewrites the CLI state file as the old code wrote it: item id, eTag, hash and size, no cTag. */
    async function forgetCTags(): Promise<void> {
      const file = path.join(world.stateDir, "mirror-state.json");
      const doc = JSON.parse(await readFile(file, "utf8")) as {
        manifest: { entries: Record<string, unknown>[] };
      };
      for (const entry of doc.manifest.entries) {
        expect(entry.cTag).toBeDefined();
        delete entry.cTag;
      }
      await writeFile(file, JSON.stringify(doc));
    }

    it("same item, same size and hash: a new eTag alone is the service's; our change is uploaded", async () => {
      world = await startMirrorWorld();
      await world.write("song.mp3", "audio v1");
      await world.run([mirror()]);
      await forgetCTags();
      world.emu.inspect.touchMetadata(drive, "/Mirror/song.mp3");
      await world.write("song.mp3", "audio v2");
      const result = await world.run([mirror()]);
      expect(world.emu.inspect.readItem(drive, "/Mirror/song.mp3")?.toString()).toBe("audio v2");
      expect(runOf(result)).toMatchObject({ result: "ok", conflicts: 0, jobsCreated: 1 });
      // The new upload's entry records the cTag again.
      expect((await world.state()).manifest.snapshot().entries[0]?.cTag).toMatch(/^"c:/);
    });

    it("a same-size edit by someone else is still caught by the hash", async () => {
      world = await startMirrorWorld();
      await world.write("song.mp3", "audio v1");
      await world.run([mirror()]);
      await forgetCTags();
      world.emu.inspect.putItem(drive, "/Mirror/song.mp3", Buffer.from("AUDIO V1"));
      await world.write("song.mp3", "audio v2");
      const result = await world.run([mirror()]);
      expect(world.emu.inspect.readItem(drive, "/Mirror/song.mp3")?.toString()).toBe("AUDIO V1");
      expect(runOf(result)).toMatchObject({ result: "conflicts", conflicts: 1, jobsCreated: 0 });
      expect(result.pass.runs[0]?.destinations[0]?.conflicts[0]?.detail).toContain(
        "its content hash changed",
      );
    });
  });
});
