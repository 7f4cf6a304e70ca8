/** `GET /api/stats` (issue 6): totals, success rate and bytes over the history, overall and per mirror. */
import type { HistoryRecord } from "../core/ports/mirror.js";

export interface Totals {
  readonly jobs: number;
  readonly completed: number;
  readonly failed: number;
  readonly cancelled: number;
  readonly conflicts: number;
  readonly deletions: number;
  /** completed / (completed + failed); null when nothing finished. */
  readonly successRate: number | null;
  /** Bytes of completed uploads. */
  readonly bytes: number;
}

export interface Stats {
  readonly since: string;
  readonly totals: Totals;
  readonly mirrors: Readonly<Record<string, Totals>>;
}

export function computeStats(records: readonly HistoryRecord[], since: number): Stats {
  const byMirror = new Map<string, HistoryRecord[]>();
  for (const record of records) {
    const list = byMirror.get(record.mirror) ?? [];
    list.push(record);
    byMirror.set(record.mirror, list);
  }
  return {
    since: new Date(since).toISOString(),
    totals: totalsOf(records),
    mirrors: Object.fromEntries(
      [...byMirror].sort(([a], [b]) => a.localeCompare(b)).map(([m, r]) => [m, totalsOf(r)]),
    ),
  };
}

export function totalsOf(records: readonly HistoryRecord[]): Totals {
  const count = (outcome: HistoryRecord["outcome"]) => records.filter((r) => r.outcome === outcome).length;
  const completed = count("completed");
  const failed = count("failed");
  const cancelled = count("cancelled");
  return {
    jobs: completed + failed + cancelled,
    completed,
    failed,
    cancelled,
    conflicts: count("conflict-skipped"),
    deletions: count("deleted"),
    successRate:
      completed + failed === 0 ? null : Math.round((completed / (completed + failed)) * 10_000) / 10_000,
    bytes: records.filter((r) => r.outcome === "completed").reduce((n, r) => n + r.bytes, 0),
  };
}
