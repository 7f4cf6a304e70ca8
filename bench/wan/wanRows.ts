/**
 * The WAN bench's table rows for one scenario at one latency: the medians of each tool, then the ratios
 * graph-mirror / rclone and graph-mirror / raw (lower is better) checked against issue 17's targets, and, where the
 * Node floor ran (small files), graph-mirror's peak RSS over the floor's: what graph-mirror adds to the least a
 * Node process needs for the same uploads at the same concurrency (docs/upload.md "Memory"). Where peak RSS is
 * judged against rclone's, a row gives each tool's largest anonymous part (heap, buffers, stacks) and largest
 * file-backed part (the pages of its own executable and libraries it touched), which tells how much of a gap is
 * the runtime's binary rather than the upload's memory (polled maxima, not simultaneous: their sum is not the
 * peak).
 */
import type { BenchRow } from "../registry.js";
import { MIB } from "../upload/harness.js";
import type { Scenario } from "./scenarios.js";
import type { ToolName } from "./tools.js";

export interface ToolFigures {
  readonly wallMs: number;
  readonly peakRssBytes: number;
  /** Largest anonymous and file-backed parts of the RSS seen (../upload/harness.ts runMeasured). */
  readonly peakAnonBytes?: number;
  readonly peakFileBytes?: number;
}

function ratioRow(metric: string, ratio: number | undefined, target: number | undefined): BenchRow {
  if (ratio === undefined) return { metric, value: "n/a (rclone not installed)" };
  return {
    metric,
    value: ratio.toFixed(2),
    ...(target !== undefined ? { target: `<= ${target.toFixed(2)}`, pass: ratio <= target } : {}),
  };
}

export function scenarioRows(
  scenario: Scenario,
  latencyMs: number,
  figures: ReadonlyMap<ToolName, ToolFigures>,
): BenchRow[] {
  const label = `${scenario.label} @${latencyMs} ms`;
  const targets = scenario.targets[latencyMs] ?? {};
  const gm = figures.get("graph-mirror");
  const rclone = figures.get("rclone");
  const raw = figures.get("raw");
  const floor = figures.get("node-floor");
  if (!gm || !raw) throw new Error("the WAN bench lost a tool's figures");
  const show = (f: ToolFigures | undefined, pick: (f: ToolFigures) => string) => (f ? pick(f) : "-");
  const wall = (f: ToolFigures) => (f.wallMs / 1000).toFixed(2);
  const rss = (f: ToolFigures) => (f.peakRssBytes / MIB).toFixed(0);
  const tools = floor ? "gm / rclone / raw / node floor" : "gm / rclone / raw";
  const columns = floor ? [gm, rclone, raw, floor] : [gm, rclone, raw];
  const rows: BenchRow[] = [
    {
      metric: `${label}: wall s, ${tools}`,
      value: columns.map((f) => show(f, wall)).join(" / "),
    },
    {
      metric: `${label}: peak RSS MiB, ${tools}`,
      value: columns.map((f) => show(f, rss)).join(" / "),
    },
    ratioRow(`${label}: wall gm / rclone`, rclone ? gm.wallMs / rclone.wallMs : undefined, targets.vsRclone),
    ratioRow(`${label}: wall gm / raw`, gm.wallMs / raw.wallMs, targets.vsRaw),
  ];
  if (targets.rssAtMostRclone) {
    const split = (f: ToolFigures) =>
      f.peakAnonBytes === undefined || f.peakFileBytes === undefined
        ? "?"
        : `${(f.peakAnonBytes / MIB).toFixed(0)} + ${(f.peakFileBytes / MIB).toFixed(0)}`;
    rows.push({
      metric: `${label}: peak RSS anon + file MiB, ${tools}`,
      value: columns.map((f) => show(f, split)).join(" / "),
    });
    rows.push(
      ratioRow(
        `${label}: peak RSS gm / rclone`,
        rclone ? gm.peakRssBytes / rclone.peakRssBytes : undefined,
        1,
      ),
    );
  }
  if (floor) {
    const ratio = gm.peakRssBytes / floor.peakRssBytes;
    rows.push(ratioRow(`${label}: peak RSS gm / node floor`, ratio, targets.rssOverFloor));
  }
  return rows;
}
