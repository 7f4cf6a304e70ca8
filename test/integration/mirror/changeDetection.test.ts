import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_DRIVE_IDS, DEFAULT_USERS } from "../../../src/emulator/index.js";
import { type MirrorWorld, startMirrorWorld } from "./harness.js";

const OPS = "https://contoso.sharepoint.com/sites/Ops";
const ops = DEFAULT_DRIVE_IDS.opsDocuments;
const adele = DEFAULT_DRIVE_IDS.adeleOneDrive;

describe("mirror change detection against the emulator", () => {
  let world: MirrorWorld;
  beforeEach(async () => {
    world = await startMirrorWorld();
  });
  afterEach(async () => {
    await world?.close();
  });

  const mirror = (extra: Record<string, unknown> = {}) => ({
    name: "app",
    source: { type: "file", path: world.source },
    destinations: [
      { type: "sharepoint", site: OPS, library: "documents", path: "/Mirror" },
      { type: "onedrive", user: DEFAULT_USERS.adele.userPrincipalName, path: "/Mirror" },
    ],
    ...extra,
  });

  it("uploads everything once, then an unchanged pass creates no jobs and makes no Graph calls", async () => {
    await world.write("status.json", '{"ok":true}');
    await world.write("logs/app.log", "line 1\n");
    const first = await world.run([mirror()]);
    expect(first.jobs.map((j) => j.status)).toEqual(["completed", "completed", "completed", "completed"]);
    expect(world.emu.inspect.readItem(ops, "/Mirror/logs/app.log")?.toString()).toBe("line 1\n");
    expect(world.emu.inspect.readItem(adele, "/Mirror/status.json")?.toString()).toBe('{"ok":true}');

    world.emu.inspect.clearLog();
    const second = await world.run([mirror()]);
    expect(second.pass.runs[0]?.run).toMatchObject({ jobsCreated: 0, unchanged: 4, result: "ok" });
    expect(second.jobs).toEqual([]);
    expect(world.emu.inspect.requestLog()).toEqual([]);
  });

  it("creates exactly one job per destination for one touched file", async () => {
    await world.write("a.txt", "a");
    await world.write("b.txt", "b");
    await world.run([mirror()]);
    await world.write("b.txt", "b, changed");
    world.emu.inspect.clearLog();
    const again = await world.run([mirror()]);
    const run = again.pass.runs[0];
    expect(
      run?.jobs.map((j) => j.destination.type === "drive" && [j.destination.driveId, j.destination.path]),
    ).toEqual([
      [ops, "/Mirror/b.txt"],
      [adele, "/Mirror/b.txt"],
    ]);
    expect(run?.destinations.map((d) => d.uploads.map((u) => u.detail))).toEqual([
      ["changed (size 1 -> 10 bytes)"],
      ["changed (size 1 -> 10 bytes)"],
    ]);
    expect(world.emu.inspect.readItem(adele, "/Mirror/b.txt")?.toString()).toBe("b, changed");
    expect(world.writes().filter((w) => w.route === "simpleUpload")).toHaveLength(2);
  });

  it("dry-run reports what would be uploaded and why, and writes nothing", async () => {
    await world.write("new.txt", "n");
    const dry = await world.run([mirror()], { dryRun: true });
    expect(dry.pass.runs[0]?.destinations[0]?.uploads).toEqual([
      { path: "new.txt", reason: "new", detail: "new file (not uploaded before)" },
    ]);
    expect(world.writes()).toEqual([]);
    expect((await world.state()).manifest.snapshot().entries).toEqual([]);
  });

  describe("a destination file replaced by someone else", () => {
    async function replacedBySomeone(policy: string) {
      await world.write("report.csv", "ours v1");
      await world.run([mirror({ onDestinationChanged: policy })]);
      world.emu.inspect.putItem(ops, "/Mirror/report.csv", Buffer.from("theirs"));
      await world.write("report.csv", "ours v2");
      return world.run([mirror({ onDestinationChanged: policy })]);
    }

    it("overwrite: our new version replaces theirs", async () => {
      await replacedBySomeone("overwrite");
      expect(world.emu.inspect.readItem(ops, "/Mirror/report.csv")?.toString()).toBe("ours v2");
    });

    it("skip-and-report: theirs stays, the conflict is reported and recorded", async () => {
      const result = await replacedBySomeone("skip-and-report");
      expect(world.emu.inspect.readItem(ops, "/Mirror/report.csv")?.toString()).toBe("theirs");
      expect(result.pass.runs[0]?.destinations[0]?.conflicts[0]?.detail).toContain("changed by someone else");
      // The other destination was not touched by anyone: it gets the new version.
      expect(world.emu.inspect.readItem(adele, "/Mirror/report.csv")?.toString()).toBe("ours v2");
      const history = (await world.state()).history.snapshot().records;
      expect(history.filter((r) => r.outcome === "conflict-skipped").map((r) => r.path)).toEqual([
        "report.csv",
      ]);
    });

    it("keep-both: theirs stays and ours lands beside it under a new name", async () => {
      await replacedBySomeone("keep-both");
      expect(world.emu.inspect.readItem(ops, "/Mirror/report.csv")?.toString()).toBe("theirs");
      const names = world.emu.inspect
        .items(ops)
        .filter((i) => i.kind === "file")
        .map((i) => i.path);
      expect(names).toHaveLength(2);
      const ours = names.find((n) => n !== "/Mirror/report.csv") ?? "";
      expect(world.emu.inspect.readItem(ops, ours)?.toString()).toBe("ours v2");
    });
  });

  it("propagates deletions only when asked", async () => {
    await world.write("keep.txt", "k");
    await world.write("drop.txt", "d");
    await world.run([mirror()]);
    const { rm } = await import("node:fs/promises");
    await rm(`${world.source}/drop.txt`);
    await world.run([mirror()]);
    expect(world.emu.inspect.readItem(ops, "/Mirror/drop.txt")?.toString()).toBe("d");
    expect(world.writes().filter((w) => w.route === "deleteItem")).toEqual([]);

    const on = await world.run([mirror({ propagateDeletes: true })]);
    expect(on.pass.runs[0]?.run.deletions).toBe(2);
    expect(world.emu.inspect.readItem(ops, "/Mirror/drop.txt")).toBeUndefined();
    expect(world.emu.inspect.readItem(adele, "/Mirror/drop.txt")).toBeUndefined();
    expect(world.emu.inspect.readItem(ops, "/Mirror/keep.txt")?.toString()).toBe("k");
    const history = (await world.state()).history.snapshot().records;
    expect(history.filter((r) => r.outcome === "deleted")).toHaveLength(2);
  });
});
