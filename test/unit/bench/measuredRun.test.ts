/**
 * The bench's child measurement (bench/upload/harness.ts runMeasured), which every RSS figure of `npm run bench`
 * comes from: VmHWM, and the split into anonymous and file-backed parts the WAN bench prints (Linux /proc).
 */
import { describe, expect, it } from "vitest";
import { MIB, runMeasured } from "../../../bench/upload/harness.js";

describe.runIf(process.platform === "linux")("bench child measurement", () => {
  it("reports a child's peak RSS and its anonymous and file-backed parts, the touched heap in the first", async () => {
    // 96 MiB written (so resident), held long enough for many 20 ms polls, even on a loaded machine.
    const script = "const b = Buffer.alloc(96 * 1024 * 1024, 1); setTimeout(() => b.length, 1500);";
    const run = await runMeasured(process.execPath, ["-e", script], { PATH: process.env.PATH });
    expect(run.code).toBe(0);
    expect(run.peakAnonBytes).toBeGreaterThanOrEqual(96 * MIB);
    // The node executable's own pages: tens of MiB in any Node process.
    expect(run.peakFileBytes).toBeGreaterThan(10 * MIB);
    expect(run.peakRssBytes).toBeGreaterThanOrEqual(run.peakAnonBytes);
    expect(run.peakRssBytes).toBeLessThanOrEqual(run.peakAnonBytes + run.peakFileBytes + 16 * MIB);
  });
});
