/**
 * The submit phase of one destination's pass (runDestination.ts): one upload job per new or changed file,
 * after checking the destination name and creating its parent folder. A file that cannot get a job is reported
 * and recorded as failed; the others go on (issue 6: one file never blocks another).
 */

import type { UploadJob } from "../core/job/job.js";
import { GraphFailure } from "../core/ports/graphFailure.js";
import type { PendingMirrorJob } from "../core/ports/mirror.js";
import { pathProblems } from "../core/shared/names.js";
import { newJob } from "../core/upload/engine.js";
import { appendFailure, type RecordTarget } from "./destinationHistory.js";
import type { DestinationDeps, FileFailure, UploadReport } from "./destinationTypes.js";
import type { FolderEnsurer } from "./folders.js";
import type { PlannedUpload } from "./plan.js";
import type { ResolvedDestination } from "./resolver.js";

export interface CreatedJobs {
  readonly jobs: UploadJob[];
  readonly pending: PendingMirrorJob[];
  readonly uploads: UploadReport[];
}

export async function createJobs(
  planned: readonly PlannedUpload[],
  target: ResolvedDestination,
  at: RecordTarget,
  signal: AbortSignal,
  deps: DestinationDeps,
): Promise<CreatedJobs> {
  const created: CreatedJobs = { jobs: [], pending: [], uploads: [] };
  const now = deps.clock.now();
  for (const upload of planned) {
    const path = `${target.folder}${upload.entry.path}`;
    const report = { path: upload.entry.path, reason: upload.reason, detail: upload.detail };
    const problem = await destinationProblem(path, target, deps.folders, signal);
    if (problem) {
      created.uploads.push({ ...report, error: problem.message });
      await appendFailure(deps.history, at.mirror, at.runId, upload.entry.path, at.label, problem, now);
      continue;
    }
    const jobId = deps.newId();
    created.jobs.push(
      newJob({
        jobId,
        requestId: at.runId,
        source: upload.entry.ref,
        destination: { type: "drive", driveId: target.driveId, path },
        conflictBehavior: upload.conflictBehavior,
        chunkSize: deps.jobSettings.chunkSize,
        simpleUploadMax: deps.jobSettings.simpleUploadMax,
        fingerprint: upload.entry.fingerprint,
        origin: { kind: "mirror", mirror: at.mirror, runId: at.runId },
        now,
      }),
    );
    created.pending.push({
      jobId,
      runId: at.runId,
      mirror: at.mirror,
      destination: at.key,
      destinationLabel: at.label,
      path: upload.entry.path,
      source: upload.entry.fingerprint,
      createdAt: now,
    });
    created.uploads.push({ ...report, jobId });
  }
  return created;
}

/** Why a file cannot be uploaded to `path`: a name the service refuses, or a parent folder it would not create. */
async function destinationProblem(
  path: string,
  target: ResolvedDestination,
  folders: FolderEnsurer,
  signal: AbortSignal,
): Promise<FileFailure | undefined> {
  const problems = pathProblems(path, target.rootPath);
  if (problems.length > 0) return { code: "invalid-name", message: problems.join("; ") };
  return ensureParent(folders, target.driveId, path, signal);
}

async function ensureParent(
  folders: FolderEnsurer,
  driveId: string,
  path: string,
  signal: AbortSignal,
): Promise<FileFailure | undefined> {
  try {
    await folders.ensure(driveId, path.slice(0, path.lastIndexOf("/")), signal);
    return undefined;
  } catch (err: unknown) {
    if (err instanceof GraphFailure) {
      return {
        code: "folder-create-failed",
        message: `could not create the destination folder: ${err.message}`,
        ...(err.requestId ? { requestId: err.requestId } : {}),
      };
    }
    throw err;
  }
}
