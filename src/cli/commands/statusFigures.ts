/**
 * The figures of `graph-mirror status`, from the history table (or the CLI's state file): the same ones the
 * Functions app sends to Application Insights as metrics (src/telemetry/names.ts) and the workbook shows, so an
 * operator without the portal sees the same numbers. Throttling is not kept in the tables: what they show is how
 * many unfinished jobs are waiting on throttling right now.
 */
import type { HistoryRecord } from "../../core/ports/mirror.js";
import { formatBytes } from "../../core/shared/units.js";

export interface StatusFigures {
  readonly since: string;
  readonly bytesUploaded: number;
  readonly completed: number;
  readonly failed: number;
  /** Failed jobs by error code (the `reason` of the jobs_failed metric). */
  readonly failedByReason: Readonly<Record<string, number>>;
  /** completed / (completed + failed); null when nothing finished. */
  readonly successRate: number | null;
  /** Unfinished jobs whose last error is Graph throttling. */
  readonly throttledNow: number;
}

export function figuresOf(
  records: readonly HistoryRecord[],
  activeErrorCodes: readonly (string | undefined)[],
  since: number,
): StatusFigures {
  const completed = records.filter((r) => r.outcome === "completed");
  const failed = records.filter((r) => r.outcome === "failed");
  const failedByReason: Record<string, number> = {};
  for (const record of failed) {
    const reason = record.errorCode ?? "unknown";
    failedByReason[reason] = (failedByReason[reason] ?? 0) + 1;
  }
  const finished = completed.length + failed.length;
  return {
    since: new Date(since).toISOString(),
    bytesUploaded: completed.reduce((n, r) => n + r.bytes, 0),
    completed: completed.length,
    failed: failed.length,
    failedByReason,
    successRate: finished === 0 ? null : Math.round((completed.length / finished) * 10_000) / 10_000,
    throttledNow: activeErrorCodes.filter((code) => code === "throttled").length,
  };
}

export function formatFigures(figures: StatusFigures): string[] {
  const rate = figures.successRate === null ? "n/a" : `${(figures.successRate * 100).toFixed(1)}%`;
  const reasons = Object.entries(figures.failedByReason)
    .sort(([, a], [, b]) => b - a)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(", ");
  return [
    `Since ${figures.since}:`,
    `  ${formatBytes(figures.bytesUploaded)} uploaded, ${figures.completed} completed, ${figures.failed} failed` +
      `${reasons ? ` (${reasons})` : ""}, success rate ${rate}`,
    `  throttled now: ${figures.throttledNow} unfinished job(s) waiting on Microsoft Graph throttling`,
  ];
}
