/**
 * A file up to the simple-upload size (and every empty file; `uploadMethod` in chunkPlan.ts) goes up in one PUT
 * and is verified from its answer (finish.ts). It holds the file's size in memory, not a chunk (docs/upload.md
 * "Memory").
 */
import type { ResolvedTarget, StepResult } from "../job/job.js";
import type { SourceFingerprint } from "../ports/common.js";
import type { DriveItem } from "../ports/graph.js";
import { QuickXorHash } from "../shared/quickXorHash.js";
import { finish } from "./finish.js";
import type { StepRun } from "./stepRun.js";

export async function simpleUpload(
  run: StepRun,
  target: ResolvedTarget,
  fingerprint: SourceFingerprint,
): Promise<StepResult> {
  const job = run.job;
  // The file's size from the pool's size class, not a chunk buffer (docs/upload.md "Memory").
  const pool = run.deps.buffers;
  const scratch = fingerprint.size > 0 ? pool?.acquire(fingerprint.size) : undefined;
  let reusable = true;
  try {
    let bytes: Uint8Array;
    try {
      bytes = await run.source.read(0, fingerprint.size, fingerprint, run.signal, scratch);
    } catch (err: unknown) {
      return run.sourceFailure(job, err);
    }
    const hash = new QuickXorHash().update(bytes).state();
    let item: DriveItem;
    try {
      item = await run.deps.graph.simpleUpload(target, bytes, job.conflictBehavior, run.signal);
    } catch (err: unknown) {
      reusable = false;
      return run.failure(job, err, "simple-upload");
    }
    return await finish(run, { ...job, hash, confirmedOffset: fingerprint.size }, item, "answer");
  } finally {
    if (pool && scratch && reusable) pool.release(scratch);
  }
}
