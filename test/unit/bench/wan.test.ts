/**
 * The WAN bench's settings and verdicts (bench/wan, issue 17 item 5): what the environment selects, and that a
 * ratio over its target is reported as missed while a missing rclone is reported without a verdict.
 */
import { describe, expect, it } from "vitest";
import { runsAt, SCENARIOS, wanSettings } from "../../../bench/wan/scenarios.js";
import { concurrencyFlags, smallFilesAtATime, type ToolName, toolsFor } from "../../../bench/wan/tools.js";
import { scenarioRows, type ToolFigures } from "../../../bench/wan/wanRows.js";

const MIB = 1024 * 1024;
const scenario = (id: string) => {
  const found = SCENARIOS.find((s) => s.id === id);
  if (!found) throw new Error(id);
  return found;
};

describe("WAN bench settings", () => {
  it("defaults to 3 rounds at 0 and 50 ms, every scenario, the 1 GiB upload at 0 ms only", () => {
    const settings = wanSettings({});
    expect(settings.rounds).toBe(3);
    expect(settings.latencies).toEqual([0, 50]);
    expect(settings.scenarios.map((s) => s.id)).toEqual([
      "1gib",
      "256mib",
      "40x12mib",
      "300x200kib-4",
      "300x200kib-8",
      "300x200kib-4n",
    ]);
    expect(runsAt(scenario("1gib"), 50, settings)).toBe(false);
    expect(runsAt(scenario("1gib"), 0, settings)).toBe(true);
    expect(runsAt(scenario("256mib"), 50, settings)).toBe(true);
    expect(runsAt(scenario("1gib"), 50, wanSettings({ BENCH_WAN_FULL: "1" }))).toBe(true);
  });

  it("reads BENCH_ROUNDS, BENCH_WAN_LATENCIES and BENCH_WAN_SCENARIOS, and refuses nonsense", () => {
    const settings = wanSettings({
      BENCH_ROUNDS: "1",
      BENCH_WAN_LATENCIES: "0, 100",
      BENCH_WAN_SCENARIOS: "256mib,300x200kib-8",
    });
    expect(settings.rounds).toBe(1);
    expect(settings.latencies).toEqual([0, 100]);
    expect(settings.scenarios.map((s) => s.id)).toEqual(["256mib", "300x200kib-8"]);
    expect(() => wanSettings({ BENCH_ROUNDS: "0" })).toThrow(/BENCH_ROUNDS/);
    expect(() => wanSettings({ BENCH_ROUNDS: "three" })).toThrow(/BENCH_ROUNDS/);
    expect(() => wanSettings({ BENCH_WAN_LATENCIES: "-5" })).toThrow(/BENCH_WAN_LATENCIES/);
    expect(() => wanSettings({ BENCH_WAN_SCENARIOS: "2gib" })).toThrow(/unknown 2gib/);
  });
});

describe("WAN bench graph-mirror settings", () => {
  it("runs graph-mirror with its defaults where the issue's targets say default settings, else N for both pools", () => {
    expect(concurrencyFlags(scenario("40x12mib"))).toEqual([]);
    expect(concurrencyFlags(scenario("300x200kib-4"))).toEqual([]);
    expect(concurrencyFlags(scenario("300x200kib-8"))).toEqual(["--parallel", "8", "--parallel-small", "8"]);
    expect(concurrencyFlags(scenario("300x200kib-4n"))).toEqual(["--parallel", "4", "--parallel-small", "4"]);
  });
});

describe("WAN bench Node floor", () => {
  it("runs only where every file goes in one simple PUT, at graph-mirror's own small-file concurrency", () => {
    expect(toolsFor(scenario("300x200kib-4"), true)).toEqual(["graph-mirror", "rclone", "raw", "node-floor"]);
    expect(toolsFor(scenario("300x200kib-8"), false)).toEqual(["graph-mirror", "raw", "node-floor"]);
    expect(toolsFor(scenario("40x12mib"), true)).toEqual(["graph-mirror", "rclone", "raw"]);
    expect(toolsFor(scenario("1gib"), true)).toEqual(["graph-mirror", "rclone", "raw"]);
    // The defaults row: graph-mirror uploads 16 small files at a time (--parallel-small's default), so does the floor.
    expect(smallFilesAtATime(scenario("300x200kib-4"))).toBe(16);
    expect(smallFilesAtATime(scenario("300x200kib-8"))).toBe(8);
  });

  it("adds the floor's column and graph-mirror's peak RSS over it, judged against 1.1 at 50 ms", () => {
    const rows = scenarioRows(
      scenario("300x200kib-8"),
      50,
      new Map<ToolName, ToolFigures>([
        ["graph-mirror", { wallMs: 3000, peakRssBytes: 75 * MIB }],
        ["rclone", { wallMs: 7000, peakRssBytes: 58 * MIB }],
        ["raw", { wallMs: 2800, peakRssBytes: 130 * MIB }],
        ["node-floor", { wallMs: 2500, peakRssBytes: 60 * MIB }],
      ]),
    );
    expect(rows[1]).toEqual({
      metric: "300 x 200 KiB, 8 at a time @50 ms: peak RSS MiB, gm / rclone / raw / node floor",
      value: "75 / 58 / 130 / 60",
    });
    expect(rows.at(-1)).toEqual({
      metric: "300 x 200 KiB, 8 at a time @50 ms: peak RSS gm / node floor",
      value: "1.25",
      target: "<= 1.10",
      pass: false,
    });
    const close = new Map<ToolName, ToolFigures>([
      ["graph-mirror", { wallMs: 3000, peakRssBytes: 76 * MIB }],
      ["raw", { wallMs: 2800, peakRssBytes: 130 * MIB }],
      ["node-floor", { wallMs: 2500, peakRssBytes: 73 * MIB }],
    ]);
    expect(scenarioRows(scenario("300x200kib-8"), 50, close).at(-1)).toMatchObject({
      value: "1.04",
      pass: true,
    });
    // At 0 ms the row is there without a verdict.
    expect(scenarioRows(scenario("300x200kib-8"), 0, close).at(-1)).toEqual({
      metric: "300 x 200 KiB, 8 at a time @0 ms: peak RSS gm / node floor",
      value: "1.04",
    });
  });
});

describe("WAN bench rows", () => {
  const figures = (gm: number, rclone: number | undefined, raw: number, rss: [number, number]) =>
    new Map<ToolName, ToolFigures>([
      ["graph-mirror", { wallMs: gm, peakRssBytes: rss[0] * MIB }],
      ...(rclone === undefined
        ? []
        : [["rclone", { wallMs: rclone, peakRssBytes: rss[1] * MIB }] as [ToolName, ToolFigures]]),
      ["raw", { wallMs: raw, peakRssBytes: 90 * MIB }],
    ]);

  it("checks the issue's targets at the latency they belong to", () => {
    const small = scenario("300x200kib-4");
    const rows = scenarioRows(small, 50, figures(4000, 10_000, 5000, [60, 57]));
    expect(rows.map((r) => [r.metric, r.value, r.target, r.pass])).toEqual([
      [
        "300 x 200 KiB, gm defaults, others 4 at a time @50 ms: wall s, gm / rclone / raw",
        "4.00 / 10.00 / 5.00",
        undefined,
        undefined,
      ],
      [
        "300 x 200 KiB, gm defaults, others 4 at a time @50 ms: peak RSS MiB, gm / rclone / raw",
        "60 / 57 / 90",
        undefined,
        undefined,
      ],
      ["300 x 200 KiB, gm defaults, others 4 at a time @50 ms: wall gm / rclone", "0.40", "<= 0.50", true],
      ["300 x 200 KiB, gm defaults, others 4 at a time @50 ms: wall gm / raw", "0.80", undefined, undefined],
      [
        // These figures carry no split: the row is there, marked unknown.
        "300 x 200 KiB, gm defaults, others 4 at a time @50 ms: peak RSS anon + file MiB, gm / rclone / raw",
        "? / ? / ?",
        undefined,
        undefined,
      ],
      [
        "300 x 200 KiB, gm defaults, others 4 at a time @50 ms: peak RSS gm / rclone",
        "1.05",
        "<= 1.00",
        false,
      ],
    ]);
    // At 0 ms the same scenario has no target: figures only.
    expect(
      scenarioRows(small, 0, figures(4000, 10_000, 5000, [60, 57])).some((r) => r.pass !== undefined),
    ).toBe(false);
    const big = scenarioRows(scenario("1gib"), 0, figures(9500, 10_000, 9000, [130, 160]));
    expect(big.filter((r) => r.pass !== undefined).map((r) => [r.target, r.pass])).toEqual([
      ["<= 0.90", false],
      ["<= 1.00", false],
    ]);
  });

  it("splits each tool's peak RSS into anonymous and file-backed MiB for small files only", () => {
    const split = (wallMs: number, anon: number, file: number): ToolFigures => ({
      wallMs,
      peakRssBytes: (anon + file) * MIB,
      peakAnonBytes: anon * MIB,
      peakFileBytes: file * MIB,
    });
    const figures = new Map<ToolName, ToolFigures>([
      ["graph-mirror", split(1700, 35, 43)],
      ["rclone", split(8700, 21, 35)],
      ["raw", split(4900, 78, 44)],
      ["node-floor", split(1500, 37.4, 41)],
    ]);
    const rows = scenarioRows(scenario("300x200kib-4"), 50, figures);
    expect(rows.find((r) => r.metric.includes("anon + file"))).toEqual({
      metric:
        "300 x 200 KiB, gm defaults, others 4 at a time @50 ms: peak RSS anon + file MiB, gm / rclone / raw / node floor",
      value: "35 + 43 / 21 + 35 / 78 + 44 / 37 + 41",
    });
    // Large files have no RSS target against rclone, and no split row.
    const big = scenarioRows(scenario("40x12mib"), 50, figures);
    expect(big.some((r) => r.metric.includes("anon + file"))).toBe(false);
  });

  it("without rclone: the rclone columns are blank and its ratios carry no verdict", () => {
    const rows = scenarioRows(scenario("256mib"), 50, figures(3000, undefined, 2900, [140, 0]));
    expect(rows[0]?.value).toBe("3.00 / - / 2.90");
    expect(rows[2]).toEqual({
      metric: "256 MiB @50 ms: wall gm / rclone",
      value: "n/a (rclone not installed)",
    });
  });
});
