/**
 * How `graph-mirror check` prints its findings. Text uses the marks of `rclone check --combined`:
 * `=` match, `*` differ, `-` only in the source (missing at the destination), `+` only at the destination
 * (missing in the source), then a summary line per source and destination. JSON is one object for machines.
 */
import type { CheckedFile, CheckSummary } from "./compare.js";

export interface CheckRun {
  /** Secret-free description of the source (a folder, `sftp://user@host/path`, ...). */
  readonly source: string;
  readonly destination: string;
  readonly summary: CheckSummary;
  readonly files: readonly CheckedFile[];
  /** Files or folders that could not be compared (unreadable source files, listing errors). */
  readonly errors: readonly string[];
}

export interface CheckJson {
  readonly checks: readonly CheckRun[];
  /** Files that differ or are missing on either side, plus errors, over every check: 0 means all matched. */
  readonly differences: number;
}

const MARK: Record<CheckedFile["status"], string> = {
  match: "=",
  differ: "*",
  "missing-on-destination": "-",
  "missing-on-source": "+",
};

export function differencesOf(runs: readonly CheckRun[]): number {
  return runs.reduce(
    (sum, run) =>
      sum +
      run.summary.differ +
      run.summary.missingOnDestination +
      run.summary.missingOnSource +
      run.errors.length,
    0,
  );
}

export function checkJson(runs: readonly CheckRun[]): CheckJson {
  return { checks: runs, differences: differencesOf(runs) };
}

export function checkLines(run: CheckRun): string[] {
  const lines = run.files.map((file) => {
    const why =
      file.reason === "size"
        ? ` (size ${file.source?.size} here, ${file.destination?.size} there)`
        : file.reason === "hash"
          ? " (same size, different QuickXorHash)"
          : file.reason === "size-only"
            ? " (size only: the destination reports no QuickXorHash)"
            : "";
    return `${MARK[file.status]} ${file.path}${why}`;
  });
  for (const error of run.errors) lines.push(`! ${error}`);
  const s = run.summary;
  lines.push(
    `${run.source} -> ${run.destination}: ${s.match} matching, ${s.differ} differing, ` +
      `${s.missingOnDestination} missing at the destination, ${s.missingOnSource} missing in the source` +
      (run.errors.length > 0 ? `, ${run.errors.length} error(s)` : ""),
  );
  return lines;
}
