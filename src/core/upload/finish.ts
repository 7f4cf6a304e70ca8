/**
 * The end of an upload (docs/upload.md "Verification"): the stored item is checked against what we sent (size and
 * QuickXorHash, verify.ts) before the job completes. The item comes from the last answer (a simple upload's or
 * the final fragment's, sendFragment.ts), from committing a session whose bytes are all in, or from looking the
 * path up after the session was declared gone (probeFinishedUpload, here because both verifyStored here and the
 * status check in serverRanges.ts end in it).
 */
import type { JobEvent, ResolvedTarget, StepResult, UploadJob } from "../job/job.js";
import type { SourceFingerprint } from "../ports/common.js";
import type { DriveItem } from "../ports/graph.js";
import { GraphFailure } from "../ports/graphFailure.js";
import { QuickXorHash } from "../shared/quickXorHash.js";
import { DEFAULT_CHUNK_SIZING } from "./chunkSizing.js";
import { jobError } from "./errorClassification.js";
import { complete, failJob, proceed, restartSession, waitFor } from "./outcomes.js";
import type { StepRun } from "./stepRun.js";
import { type Provenance, verifyUpload } from "./verify.js";

/**
 * Every byte is on the server. With the session still held, its commit failed after the last byte landed:
 * the session is kept until it expires, so commit it with `@microsoft.graph.sourceUrl` (Microsoft Learn,
 * "Upload large files with an upload session", "Handling commit errors"). Without one (a hash still to
 * come), read the item our session committed again.
 */
export async function verifyStored(
  run: StepRun,
  target: ResolvedTarget,
  fingerprint: SourceFingerprint,
): Promise<StepResult> {
  const job = { ...run.job, confirmedOffset: fingerprint.size };
  const session = job.session;
  if (session) {
    let committed: DriveItem;
    try {
      committed = await run.deps.graph.commitUploadSession(
        target,
        session.uploadUrl,
        job.conflictBehavior,
        run.signal,
      );
    } catch (err: unknown) {
      if (err instanceof GraphFailure && (err.status === 404 || err.status === 410)) {
        // The session ended meanwhile: the commit went through after all, or the session expired.
        return probeFinishedUpload(run, target, fingerprint, err);
      }
      return run.failure(job, err, "commit");
    }
    return finish(run, job, committed, "answer");
  }
  let item: DriveItem | undefined;
  try {
    item = await run.deps.graph.getItem(target, run.signal);
  } catch (err: unknown) {
    return run.failure(job, err, "get-item");
  }
  const missing = () =>
    restartSession(job, jobError("item-missing", "every byte was sent but no file appeared"), run.outcome, {
      gone: true,
    });
  if (!item || (job.committedItemId !== undefined && item.id !== job.committedItemId)) return missing();
  return finish(run, job, item, "answer", missing);
}

/**
 * The session is declared gone after a fragment whose answer we never saw. If that fragment was the last one,
 * the file may be complete: look the item up and take it only if it is provably ours (verify.ts), so a
 * fragment that landed is not sent again (docs/graph-protocol.md: a "failed" PUT may have landed).
 */
export async function probeFinishedUpload(
  run: StepRun,
  target: ResolvedTarget,
  fingerprint: SourceFingerprint,
  notFound: GraphFailure,
): Promise<StepResult> {
  const job = run.job;
  const gone = jobError("session-not-found", `the upload session is gone (${notFound.message})`);
  const restart = () => restartSession(job, gone, run.outcome, { gone: true });
  // The lost fragment could have been the last one only if the rest fits in one; a size sized to the link may
  // have shrunk since it went out, so such a job allows its largest size (chunkSizing.ts).
  const largest = job.autoChunk
    ? Math.max(job.chunkSize, (run.deps.policy.chunkSizing ?? DEFAULT_CHUNK_SIZING).maxBytes)
    : job.chunkSize;
  if (fingerprint.size - job.confirmedOffset > largest) return restart();
  const hashed = await run.hashThrough(job, fingerprint, fingerprint.size);
  if ("failed" in hashed) return hashed.failed;
  let item: DriveItem | undefined;
  try {
    item = await run.deps.graph.getItem(target, run.signal);
  } catch (err: unknown) {
    return run.failure(job, err, "get-item");
  }
  if (!item) return restart();
  const finished = { ...job, hash: hashed.hash, confirmedOffset: fingerprint.size };
  return finish(run, finished, item, { foundAfter: job.session?.createdAt ?? job.createdAt }, restart);
}

/**
 * Compare the stored item with what we sent (size and QuickXorHash; verify.ts). `provenance` says whether
 * the item is our own session's answer or was found by path; `notOurs` is what to do with one that is not
 * provably ours.
 */
export async function finish(
  run: StepRun,
  job: UploadJob,
  item: DriveItem,
  provenance: Provenance,
  notOurs?: () => Promise<StepResult>,
): Promise<StepResult> {
  const target = job.target;
  const fingerprint = job.fingerprint;
  if (!target || !fingerprint) return proceed(job);
  const named = renamedTarget(job, item);
  const verdict = verifyUpload(
    item,
    fingerprint.size,
    new QuickXorHash(job.hash).digest(),
    named.path,
    provenance,
  );
  const settled: UploadJob = { ...job, target: named, session: undefined, resyncPending: undefined };
  switch (verdict.kind) {
    case "verified":
      return complete(settled, verdict.result, warningEvents(verdict.result.warning));
    case "hash-missing": {
      const reads = job.attempts.hashReads ?? 0;
      if (reads >= run.deps.policy.hashRereads) {
        return complete(settled, verdict.acceptSizeOnly, warningEvents(verdict.acceptSizeOnly.warning));
      }
      // Hashes can appear late (docs/graph-protocol.md "Hashes"): read this item again shortly; not a failure.
      const waiting: UploadJob = {
        ...settled,
        status: "verifying",
        committedItemId: item.id,
        attempts: { ...job.attempts, hashReads: reads + 1 },
      };
      const pending = jobError("hash-pending", "the service has not computed the file's QuickXorHash yet");
      return waitFor(waiting, pending, run.deps.policy.hashRereadDelayMs, run.outcome);
    }
    case "not-ours":
      if (notOurs) return notOurs();
      return failJob(
        job,
        jobError("hash-mismatch", "verification failed: the stored item is not the one this upload wrote"),
        run.outcome,
      );
    case "mismatch":
      return failJob(settled, verdict.error, run.outcome);
  }
}

/**
 * Under `rename` the service may store the file under another name ("name 1.ext"): later reads and the result
 * must use the name it returned, not the one we asked for.
 */
function renamedTarget(job: UploadJob, item: DriveItem): ResolvedTarget {
  const target = job.target as ResolvedTarget;
  const slash = target.path.lastIndexOf("/");
  if (!item.name || item.name === target.path.slice(slash + 1)) return target;
  return { ...target, path: `${target.path.slice(0, slash)}/${item.name}` };
}

function warningEvents(warning: string | undefined): JobEvent[] {
  return warning ? [{ type: "warning", message: warning }] : [];
}
