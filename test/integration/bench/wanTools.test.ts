/**
 * The WAN bench's uploaders as the bench runs them (bench/wan/tools.ts runTool): each must really upload every
 * file to the emulator over HTTPS, or its time and memory say nothing, and a failed upload must fail the bench
 * rather than give figures. Runs the compiled bench, as `npm run bench` does: its child scripts are JavaScript.
 * Linux only: the bench reads each child's memory from /proc.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as HarnessModule from "../../../bench/upload/harness.js";
import type * as ControlModule from "../../../bench/wan/emulatorControl.js";
import type { Scenario } from "../../../bench/wan/scenarios.js";
import type * as ToolsModule from "../../../bench/wan/tools.js";
import type * as WanModule from "../../../bench/wan/wan.js";
import { ensureBuilt, REPO_DIR } from "../../support/builtApp.js";

const dist = (module: string) => import(path.join(REPO_DIR, "dist", "bench", module));

const SCENARIO: Scenario = {
  id: "6x200kib-3",
  label: "6 x 200 KiB, 3 at a time",
  files: 6,
  fileBytes: 200 * 1024,
  concurrency: 3,
  targets: {},
};

describe.runIf(process.platform === "linux")("WAN bench uploaders", () => {
  let harness: typeof HarnessModule;
  let tools: typeof ToolsModule;
  let emu: HarnessModule.EmulatorProcess;
  let control: ControlModule.EmulatorControl;
  let payload: ToolsModule.Payload;
  let ctx: ToolsModule.ToolContext;
  const cleanup: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    await ensureBuilt();
    harness = (await dist("upload/harness.js")) as typeof HarnessModule;
    tools = (await dist("wan/tools.js")) as typeof ToolsModule;
    const wan = (await dist("wan/wan.js")) as typeof WanModule;
    const work = await harness.tempDir("gm-test-wan-");
    const data = await harness.tempDir("gm-test-wan-emu-");
    cleanup.push(work.remove, data.remove);
    emu = await harness.startEmulatorProcess(data.dir, { https: { caDir: path.join(work.dir, "ca") } });
    cleanup.unshift(() => emu.stop());
    control = await ((await dist("wan/emulatorControl.js")) as typeof ControlModule).emulatorControl(emu);
    cleanup.unshift(() => control.close());
    payload = await wan.makePayload(SCENARIO, work.dir);
    // graph-mirror's state file and HOME go in `work`.
    ctx = { emu, work: work.dir };
  }, 120_000);

  afterAll(async () => {
    // Every step, even after one failed: the temp folders go whatever the emulator did.
    const failed: unknown[] = [];
    for (const step of cleanup) await step().catch((err: unknown) => failed.push(err));
    if (failed.length > 0) throw failed[0];
  });

  for (const tool of ["node-floor", "raw", "graph-mirror"] as const) {
    it(`${tool} uploads every file whole and reports its wall time and peak RSS`, async () => {
      const run = await tools.runTool(tool, payload, `t-${tool}`, ctx);
      // Throws unless the folder holds exactly 6 files of 200 KiB, each with the local file's QuickXorHash.
      await control.verify(`t-${tool}`, SCENARIO.files, SCENARIO.fileBytes, payload.hashes);
      expect(run.peakRssBytes).toBeGreaterThan(20 * harness.MIB);
      expect(run.wallMs).toBeGreaterThan(0);
    }, 60_000);
  }

  it("refuses an upload whose bytes differ from the local file's", async () => {
    await tools.runTool("node-floor", payload, "t-hash", ctx);
    const [name] = [...payload.hashes.keys()];
    const wrong = new Map(payload.hashes).set(name ?? "", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    await expect(control.verify("t-hash", SCENARIO.files, SCENARIO.fileBytes, wrong)).rejects.toThrow(
      /QuickXorHash .*, expected AAAA/,
    );
    expect(payload.hashes.size).toBe(SCENARIO.files);
  }, 60_000);

  it("fails the bench when the Node floor's upload fails, instead of giving figures", async () => {
    const wrongDrive = { ...ctx, emu: { ...emu, driveId: "no-such-drive" } };
    await expect(tools.runTool("node-floor", payload, "t-fails", wrongDrive)).rejects.toThrow(
      /node-floor failed \(exit [1-9]/,
    );
  }, 60_000);
});
