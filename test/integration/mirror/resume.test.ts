import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_DRIVE_IDS } from "../../../src/emulator/index.js";
import { type MirrorWorld, silentReporter, startMirrorWorld } from "./harness.js";

describe("an interrupted `graph-mirror mirror` run", () => {
  let world: MirrorWorld;
  beforeEach(async () => {
    world = await startMirrorWorld();
  });
  afterEach(async () => {
    await world?.close();
  });

  it("resumes its unfinished upload on the next run instead of starting over", async () => {
    const big = Buffer.alloc(5 * 1024 * 1024, 7); // 16 fragments of 320 KiB in the harness
    await world.write("big.bin", big);
    const mirror = {
      name: "big",
      source: { type: "file", path: world.source },
      destinations: [{ type: "drive", driveId: DEFAULT_DRIVE_IDS.opsDocuments, path: "/m" }],
    };
    const controller = new AbortController();
    let confirmed = 0;
    const interrupted = await world
      .run([mirror], {
        signal: controller.signal,
        reporter: {
          ...silentReporter,
          events: (_label, _job, events) => {
            if (events.some((e) => e.type === "chunk-confirmed") && ++confirmed === 3) controller.abort();
          },
        },
      })
      .catch((err: unknown) => err);
    expect(controller.signal.aborted).toBe(true);
    expect(interrupted).toBeDefined();
    const sentBefore = world.emu.inspect.requestLog().filter((r) => r.route === "uploadFragment").length;
    world.emu.inspect.clearLog();

    const resumed = await world.run([mirror]);
    expect(resumed.pass.runs[0]?.run).toMatchObject({ jobsCreated: 0, inProgress: 1 });
    expect(resumed.jobs.map((j) => j.status)).toEqual(["completed"]);
    const log = world.emu.inspect.requestLog();
    expect(log.filter((r) => r.route === "createUploadSession")).toEqual([]);
    expect(log.filter((r) => r.route === "uploadFragment").length).toBeLessThanOrEqual(16 - sentBefore + 1);
    expect(world.emu.inspect.readItem(DEFAULT_DRIVE_IDS.opsDocuments, "/m/big.bin")?.equals(big)).toBe(true);
    const state = await world.state();
    expect(state.history.snapshot().records.map((r) => r.outcome)).toEqual(["completed"]);
    expect(state.manifest.snapshot().pending).toEqual([]);

    world.emu.inspect.clearLog();
    expect((await world.run([mirror])).pass.runs[0]?.run.unchanged).toBe(1);
    expect(world.emu.inspect.requestLog()).toEqual([]);
  });
});
