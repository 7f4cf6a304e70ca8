/**
 * Human-readable summary of a mirror pass, for the CLI and the sample: what was (or, with --dry-run, would be)
 * uploaded and why, conflicts, deletions, failed destinations, invalid definitions, and where files landed.
 */
import type { UploadJob } from "../core/job/job.js";
import type { PassReport } from "./runner.js";
import type { ShareOutcome } from "./shareRules.js";

export function formatPass(pass: PassReport, jobs: readonly UploadJob[], dryRun: boolean): string[] {
  const lines: string[] = [];
  const byId = new Map(jobs.map((j) => [j.jobId, j]));
  for (const bad of pass.invalid) {
    lines.push(`mirror ${bad.mirror}: INVALID, skipped`);
    for (const p of bad.error.problems) lines.push(`  ${p.field}: ${p.rule}`);
  }
  for (const run of pass.runs) {
    const r = run.run;
    lines.push(
      `mirror ${run.mirror} (${run.source}): ${r.listed} listed, ${r.unchanged} unchanged, ` +
        `${dryRun ? "would create" : "created"} ${r.jobsCreated === 0 && dryRun ? countPlanned(run) : r.jobsCreated} ` +
        `job(s), ${r.inProgress} in progress, ${r.conflicts} conflict(s)`,
    );
    for (const destination of run.destinations) {
      lines.push(`  -> ${destination.destination}`);
      if (destination.error)
        lines.push(`     FAILED: ${destination.error.code}: ${destination.error.message}`);
      for (const upload of destination.uploads) {
        const job = upload.jobId ? byId.get(upload.jobId) : undefined;
        const verb = dryRun ? "would upload" : uploadVerb(job, upload.error);
        const where = job?.result?.webUrl ? ` at ${job.result.webUrl}` : "";
        const why =
          job?.status === "failed" && job.lastError
            ? ` (${job.lastError.code}: ${job.lastError.message})`
            : "";
        lines.push(
          `     ${verb} ${upload.path}: ${upload.detail}${where}${why}${upload.error ? ` (${upload.error})` : ""}`,
        );
      }
      for (const conflict of destination.conflicts)
        lines.push(`     conflict ${conflict.path}: ${conflict.detail}`);
      for (const deletion of destination.deletions) {
        const verb = dryRun ? "would delete" : deletion.outcome;
        lines.push(`     ${verb} ${deletion.path}: ${deletion.detail}`);
      }
      for (const error of destination.errors) if (!destination.error) lines.push(`     error: ${error}`);
    }
    for (const share of run.shares ?? []) lines.push(`  ${shareLine(share)}`);
    if (r.result === "failed") for (const error of r.errors) lines.push(`  FAILED: ${error}`);
  }
  lines.push(...conflictNotice(pass));
  if (pass.runs.length === 0 && pass.invalid.length === 0) {
    lines.push(
      "no mirrors defined: set MIRRORS_FILE (a JSON file) or MIRRORS (JSON text); see docs/mirroring.md",
    );
  }
  return lines;
}

function countPlanned(run: PassReport["runs"][number]): number {
  return run.destinations.reduce((n, d) => n + d.uploads.length, 0);
}

function uploadVerb(job: UploadJob | undefined, error: string | undefined): string {
  if (error || !job) return "FAILED";
  if (job.status === "completed") return "uploaded";
  if (job.status === "failed") return "FAILED";
  return job.status;
}

/** `graph-mirror mirror --once` exit statuses (docs/mirroring.md "Exit codes"). */
export const PASS_EXIT = {
  ok: 0,
  /** An invalid definition, a failed destination or listing, or a job that did not complete. */
  failed: 1,
  /**
   * Everything else succeeded, but files changed by someone else at the destination were left alone
   * (skip-and-report, deletions kept): the mirror no longer follows them until someone decides. Distinct from 1
   * so that schedulers can alert on it without treating it as an outage.
   */
  conflicts: 3,
} as const;

/** The exit status of a pass: a failure outranks conflicts, which outrank success. */
export function passExitCode(pass: PassReport, jobs: readonly UploadJob[]): number {
  const failed =
    pass.invalid.length > 0 ||
    pass.runs.some((r) => r.run.result !== "ok" && r.run.result !== "conflicts") ||
    jobs.some((j) => j.status !== "completed");
  if (failed) return PASS_EXIT.failed;
  return pass.runs.some((r) => r.run.conflicts > 0) ? PASS_EXIT.conflicts : PASS_EXIT.ok;
}

/** One closing line when files were left alone for someone else's change, so it is not lost in the detail. */
function conflictNotice(pass: PassReport): string[] {
  const total = pass.runs.reduce((n, r) => n + r.run.conflicts, 0);
  if (total === 0) return [];
  return [
    `COMPLETED WITH CONFLICTS: ${total} file(s) changed by someone else at the destination were not updated ` +
      "(see the conflict lines above; they are reported every pass until resolved)",
  ];
}

function shareLine(share: ShareOutcome): string {
  const what = `${share.role} on ${share.destination} for ${share.to}`;
  switch (share.outcome) {
    case "granted":
      return `shared ${what}`;
    case "already-granted":
      return `already shared ${what}`;
    case "no-folder-yet":
      return `not shared yet ${what}: the folder does not exist until something is mirrored there`;
    case "failed":
      return `share FAILED ${what}: ${share.error ?? "unknown error"}`;
  }
}
