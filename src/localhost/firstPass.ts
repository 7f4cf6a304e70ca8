/**
 * What `graph-mirror start` shows of the mirror pass it runs at start: it waits for the pass's run records
 * (one per mirror), follows the jobs it created through their rows in the jobs table (the same rows
 * `graph-mirror status --azure` reads) with a progress bar per file, and returns where every file landed.
 * Reads storage only; the pass itself runs inside the functions (the registered mirror timer).
 */

import { isTerminal, type UploadJob } from "../core/job/job.js";
import type { HistoryStore, ManifestStore, RunRecord } from "../core/ports/mirror.js";
import type { JobStore } from "../core/ports/stores.js";
import { delay } from "../core/shared/delay.js";
import { progressBar } from "../core/shared/progressBar.js";
import { formatBytes } from "../core/shared/units.js";

/** Where progress goes: a terminal (redrawn bars) or not (one line per finished file). */
export type Terminal = NodeJS.WritableStream & { readonly isTTY?: boolean; readonly columns?: number };

export interface FirstPassDeps {
  readonly history: HistoryStore;
  readonly manifest: ManifestStore;
  readonly jobs: JobStore;
  /** The valid mirrors' names: one run record each is awaited. */
  readonly mirrors: readonly string[];
  /** Runs that started before this (ms since epoch) belong to earlier starts. */
  readonly since: number;
  readonly out: Terminal;
  readonly signal: AbortSignal;
  readonly pollMs?: number;
}

export interface PassFile {
  readonly mirror: string;
  readonly path: string;
  readonly destination: string;
  readonly job: UploadJob;
}

export interface FirstPass {
  readonly runs: readonly RunRecord[];
  readonly files: readonly PassFile[];
}

export async function followFirstPass(deps: FirstPassDeps): Promise<FirstPass> {
  const pollMs = deps.pollMs ?? 250;
  const runs = new Map<string, RunRecord>();
  while (runs.size < deps.mirrors.length) {
    for (const run of await deps.history.recentRuns({ limit: 50 }))
      if (run.startedAt >= deps.since && deps.mirrors.includes(run.mirror) && !runs.has(run.mirror))
        runs.set(run.mirror, run);
    if (runs.size < deps.mirrors.length) await delay(pollMs, deps.signal);
  }
  const labels = new Map<string, { mirror: string; path: string; destination: string }>();
  for (const mirror of deps.mirrors)
    for (const pending of await deps.manifest.listPending(mirror))
      labels.set(pending.jobId, { mirror, path: pending.path, destination: pending.destinationLabel });
  const runIds = [...runs.values()].map((r) => r.runId);
  const drawer = new Drawer(deps.out);
  for (;;) {
    const jobs = (await Promise.all(runIds.map((id) => deps.jobs.listByRequest(id))))
      .flat()
      .map((r) => r.job);
    const files: PassFile[] = [];
    for (const job of jobs) {
      let label = labels.get(job.jobId);
      if (!label && isTerminal(job.status)) {
        const record = (await deps.history.records({ mirror: mirrorOf(job, runs) })).find(
          (r) => r.key === job.jobId,
        );
        if (record) label = { mirror: record.mirror, path: record.path, destination: record.destination };
      }
      files.push({
        mirror: label?.mirror ?? "",
        path: label?.path ?? job.jobId,
        destination: label?.destination ?? "",
        job,
      });
    }
    files.sort((a, b) => a.path.localeCompare(b.path) || a.destination.localeCompare(b.destination));
    drawer.draw(files);
    if (files.every((f) => isTerminal(f.job.status))) return { runs: [...runs.values()], files };
    await delay(pollMs, deps.signal);
  }
}

function mirrorOf(job: UploadJob, runs: ReadonlyMap<string, RunRecord>): string {
  for (const run of runs.values()) if (run.runId === job.requestId) return run.mirror;
  return "";
}

/** A bar per file, redrawn in place on a terminal; elsewhere one line per file as it finishes. */
class Drawer {
  private drawnLines = 0;
  private readonly announced = new Set<string>();
  constructor(private readonly out: Terminal) {}

  draw(files: readonly PassFile[]): void {
    if (this.out.isTTY) {
      const lines = files.map(
        (f) =>
          `  ${truncate(f.path, 28).padEnd(28)} ${progressBar(done(f.job), f.job.fingerprint?.size, 24)}  ${shortDestination(f.destination)}`,
      );
      // A wrapped line would break the cursor-up count: cut each line to the terminal's width.
      const width = Math.max(20, (this.out.columns ?? 120) - 1);
      const fitted = lines.map((l) => (l.length > width ? l.slice(0, width) : l));
      if (this.drawnLines > 0) this.out.write(`\x1b[${this.drawnLines}A\x1b[J`);
      this.out.write(fitted.map((l) => `${l}\n`).join(""));
      this.drawnLines = fitted.length;
      return;
    }
    for (const f of files) {
      const key = `${f.job.jobId}`;
      if (this.announced.has(key) || !isTerminal(f.job.status)) continue;
      this.announced.add(key);
      this.out.write(
        `  ${f.job.status === "completed" ? "✓" : "✗"} ${f.path} (${formatBytes(done(f.job))}) -> ${shortDestination(f.destination)}\n`,
      );
    }
  }
}

function done(job: UploadJob): number {
  return job.status === "completed" ? (job.result?.size ?? job.confirmedOffset) : job.confirmedOffset;
}

/** `sharepoint:https://contoso.sharepoint.com/sites/Ops:Documents:/x` -> `SharePoint /sites/Ops Documents:/x`. */
export function shortDestination(label: string): string {
  const sharepoint = /^sharepoint:https?:\/\/[^/]+(\/[^:]*):([^:]+):(.*)$/.exec(label);
  if (sharepoint) return `SharePoint ${sharepoint[1]} library ${sharepoint[2]}, ${sharepoint[3]}`;
  const onedrive = /^onedrive:([^:]+):(.*)$/.exec(label);
  if (onedrive) return `OneDrive of ${onedrive[1]}, ${onedrive[2]}`;
  return label;
}

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `…${text.slice(text.length - width + 1)}`;
}

/** The summary printed once the pass's jobs ended: each file, where it landed, its link and verification. */
export function formatFirstPass(pass: FirstPass, lookHere: readonly string[]): string[] {
  const lines: string[] = [];
  const unchanged = pass.runs.reduce((n, r) => n + r.unchanged, 0);
  const errors = pass.runs.flatMap((r) => r.errors.map((e) => `${r.mirror}: ${e}`));
  if (pass.files.length === 0) {
    lines.push(
      `Mirror pass at start: nothing to upload (0 jobs; ${unchanged} file(s) unchanged since they were mirrored).`,
    );
  } else {
    const ok = pass.files.filter((f) => f.job.status === "completed").length;
    lines.push(`Mirror pass at start: ${ok} of ${pass.files.length} upload(s) completed.`);
    for (const f of pass.files) {
      const result = f.job.result;
      const mark = f.job.status === "completed" ? "✓" : "✗";
      lines.push(`  ${mark} ${f.path} -> ${shortDestination(f.destination)}`);
      if (result) {
        lines.push(`      ${result.webUrl ?? `item ${result.itemId}`}`);
        lines.push(
          result.verification === "hash"
            ? `      ${formatBytes(result.size)}, QuickXorHash verified (${result.quickXorHash ?? ""})`
            : `      ${formatBytes(result.size)}, verified by size only${result.warning ? ` (${result.warning})` : ""}`,
        );
      } else if (f.job.lastError) {
        lines.push(`      ${f.job.status}: ${f.job.lastError.code}: ${f.job.lastError.message}`);
      }
    }
  }
  for (const error of errors) lines.push(`  ! ${error}`);
  if (lookHere.length > 0) lines.push("Look at them:", ...lookHere.map((l) => `  ${l}`));
  return lines;
}
