/**
 * A job's first step (docs/upload.md "How the engine works"): fingerprint the source, validate the destination
 * path, resolve the drive. No upload call happens before it has succeeded.
 */
import type { JobEvent, ResolvedTarget, StepResult, UploadJob } from "../job/job.js";
import { pathProblems } from "../shared/names.js";
import { uploadMethod } from "./chunkPlan.js";
import { jobError } from "./errorClassification.js";
import { failJob, proceed } from "./outcomes.js";
import type { StepRun } from "./stepRun.js";

/** Fingerprint the source, validate the path, resolve the drive: everything before any upload call. */
export async function prepare(run: StepRun): Promise<StepResult> {
  let job = run.job;
  let fingerprint = job.fingerprint;
  if (!fingerprint) {
    try {
      fingerprint = await run.source.fingerprint(run.signal);
    } catch (err: unknown) {
      const message = (err instanceof Error ? err.message : String(err)).trim();
      return failJob(
        job,
        // Never an empty reason: a source error without a message still says which source failed.
        jobError(
          "source-unreadable",
          `cannot read the source: ${message || `${run.source.description} (no detail given)`}`,
        ),
        run.outcome,
      );
    }
    job = { ...job, fingerprint };
  }
  if (!job.target) {
    const early = pathProblems(job.destination.path);
    if (early.length > 0) return invalidPath(run, job, early);
    let target: ResolvedTarget;
    if (job.destination.type === "drive") {
      target = { driveId: job.destination.driveId, path: job.destination.path };
    } else {
      try {
        const drive = await run.deps.graph.resolveDrive(job.destination, run.signal);
        const problems = pathProblems(job.destination.path, drive.rootPath ?? "");
        if (problems.length > 0) return invalidPath(run, job, problems);
        target = { driveId: drive.driveId, path: job.destination.path };
      } catch (err: unknown) {
        return run.failure(job, err, "resolve");
      }
    }
    job = { ...job, target };
  }
  const method = uploadMethod(fingerprint.size, job.simpleUploadMax);
  const events: JobEvent[] = [{ type: "started", size: fingerprint.size, method }];
  return proceed({ ...job, status: "uploading", lastError: undefined }, events);
}

function invalidPath(run: StepRun, job: UploadJob, problems: string[]): Promise<StepResult> {
  return failJob(
    job,
    jobError("invalid-name", `invalid destination path: ${problems.join("; ")}`),
    run.outcome,
  );
}
