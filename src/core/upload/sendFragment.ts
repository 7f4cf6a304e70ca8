/**
 * Sending one fragment of a session (docs/upload.md "How the engine works", "Overlap"): the bytes come from the
 * read-ahead the step before left (prefetch.ts) or from the source; the answer moves the job to the offset the
 * server reports (serverRanges.ts), or, for the final fragment, is the driveItem to verify (finish.ts). A failed
 * PUT is classified like any Graph failure, except a first 404 (asked again) and a timeout on a job sized to the
 * link (smaller fragments, chunkSizing.ts).
 */
import type { InMemoryBytes } from "../job/hashProgress.js";
import type { StepResult, UploadJob } from "../job/job.js";
import type { SourceFingerprint } from "../ports/common.js";
import type { DriveItem } from "../ports/graph.js";
import { GraphFailure } from "../ports/graphFailure.js";
import type { QuickXorState } from "../shared/quickXorHash.js";
import { FRAGMENT_QUANTUM, type Fragment, nextFragment } from "./chunkPlan.js";
import {
  type ChunkSizingLimits,
  DEFAULT_CHUNK_SIZING,
  fragmentLength,
  resizedJob,
  sizeAfterTimeout,
} from "./chunkSizing.js";
import { prefetchOf } from "./engineDeps.js";
import { finish } from "./finish.js";
import { proceed } from "./outcomes.js";
import { type OverlappedSend, type ReadAhead, readNext, sendOverlapped } from "./overlap.js";
import { PrefetchCache } from "./prefetch.js";
import { applyServerRanges, sessionNotFoundOnce } from "./serverRanges.js";
import type { StepRun } from "./stepRun.js";

/**
 * Sends one fragment. While it is on the wire the step hashes it and reads the next one (overlap.ts); the
 * read-ahead is kept for the next step only when the server confirmed exactly up to it (prefetch.ts).
 */
export async function sendFragment(run: StepRun, fingerprint: SourceFingerprint): Promise<StepResult> {
  const job = run.job;
  const session = job.session;
  if (!session) return proceed(job);
  const size = fingerprint.size;
  const limits = run.deps.policy.chunkSizing ?? DEFAULT_CHUNK_SIZING;
  const planned = nextFragment(
    { start: job.confirmedOffset, end: job.missingRangeEnd ?? size - 1 },
    size,
    fragmentLength(job, size, limits),
  );
  const pool = run.deps.buffers;
  const cache = prefetchOf(run.deps);
  const ready = cache && takeReadAhead(run, cache, planned);
  const scratch = ready ? ready.buffer : pool?.acquire(planned.length);
  // A failed PUT may still be streaming from the buffer: only a buffer whose request finished goes back.
  let reusable = true;
  let ahead: ReadAhead | undefined;
  try {
    let bytes: Uint8Array;
    if (ready) {
      bytes = ready.bytes;
    } else {
      try {
        bytes = await run.source.read(planned.start, planned.length, fingerprint, run.signal, scratch);
      } catch (err: unknown) {
        return run.sourceFailure(job, err);
      }
    }
    const fragment: Fragment = { ...planned, length: bytes.byteLength };
    // The final fragment's answer waits for the commit: minutes for a large file (docs/graph-protocol.md),
    // so it gets a longer deadline than the others instead of being taken for lost and sent again.
    const final = fragment.start + fragment.length === size;
    const sent = await putOverlapped(run, {
      uploadUrl: session.uploadUrl,
      fingerprint,
      fragment,
      bytes,
      final,
      readAhead: cache !== undefined,
      limits,
    });
    ahead = sent.ahead;
    if (!sent.wire.ok) {
      reusable = false;
      return await fragmentFailed(run, job, sent.wire.error);
    }
    const outcome = sent.wire.outcome;
    const inMemory: InMemoryBytes = { start: fragment.start, bytes };
    const hashed = sent.hashed;
    if (outcome.kind === "completed") return await lastFragmentAnswered(run, outcome.item, inMemory, hashed);
    const sized = final ? job : resizedJob(job, { bytes: fragment.length, ms: sent.ms }, limits);
    const result = await applyServerRanges(
      run,
      sized,
      outcome.nextExpectedRanges,
      outcome.expiresAt,
      inMemory,
      "chunk",
      hashed,
    );
    if (ahead && cache) ahead = keepAhead(run, cache, result, ahead);
    return result;
  } finally {
    if (ahead && pool && ahead.buffer) pool.release(ahead.buffer);
    if (pool && scratch && reusable) pool.release(scratch);
  }
}

/**
 * Puts one fragment on the wire; meanwhile the step hashes it and, with a read-ahead cache, reads the next one
 * (overlap.ts). Apart from sendFragment so that each stays short enough to read in one go.
 */
function putOverlapped(
  run: StepRun,
  args: {
    uploadUrl: string;
    fingerprint: SourceFingerprint;
    fragment: Fragment;
    bytes: Uint8Array;
    final: boolean;
    readAhead: boolean;
    limits: ChunkSizingLimits;
  },
): Promise<OverlappedSend> {
  const job = run.job;
  const { uploadUrl, fingerprint, fragment, bytes, final, limits } = args;
  const size = fingerprint.size;
  const pool = run.deps.buffers;
  return sendOverlapped({
    send: () =>
      run.deps.graph.uploadFragment(
        uploadUrl,
        { start: fragment.start, bytes, total: size },
        run.signal,
        // The longer deadline of the final fragment (sendFragment).
        final ? { timeoutMs: run.deps.policy.finalFragmentTimeoutMs } : undefined,
      ),
    clock: run.deps.clock,
    bytes,
    hashFrom: job.hash.length === fragment.start ? job.hash : undefined,
    readAhead:
      args.readAhead && !final
        ? () =>
            readNext({
              job,
              fragment,
              fingerprint,
              source: run.source,
              pool,
              signal: run.signal,
              limits,
            })
        : undefined,
    signal: run.signal,
  });
}

/** The final fragment's answer is the driveItem: hash through the end and verify it. */
async function lastFragmentAnswered(
  run: StepRun,
  item: DriveItem,
  inMemory: InMemoryBytes,
  hashed: QuickXorState | undefined,
): Promise<StepResult> {
  const job = run.job;
  const fingerprint = job.fingerprint as SourceFingerprint;
  const through = await run.hashThrough(job, fingerprint, fingerprint.size, inMemory, hashed);
  if ("failed" in through) return through.failed;
  return finish(run, { ...job, hash: through.hash, confirmedOffset: fingerprint.size }, item, "answer");
}

/** The read-ahead the step before left for this fragment, if it still matches (prefetch.ts). */
function takeReadAhead(run: StepRun, cache: PrefetchCache, planned: Fragment) {
  // The key as the step before stored it: before this step's touch() counted it.
  const before = { ...run.job, attempts: { ...run.job.attempts, steps: run.job.attempts.steps - 1 } };
  const key = PrefetchCache.keyFor(before, planned.start);
  return key && cache.take(key, planned.length, FRAGMENT_QUANTUM, run.now);
}

/** Leaves a read-ahead for the next step when the server confirmed exactly up to it; else gives it back. */
function keepAhead(
  run: StepRun,
  cache: PrefetchCache,
  result: StepResult,
  ahead: ReadAhead,
): ReadAhead | undefined {
  const next = result.job;
  const matches =
    result.next.type === "continue" &&
    next.status === "uploading" &&
    next.resyncPending !== true &&
    next.confirmedOffset === ahead.start &&
    next.session?.uploadUrl === run.job.session?.uploadUrl;
  const key = matches ? PrefetchCache.keyFor(next, ahead.start) : undefined;
  if (!key) return ahead;
  cache.store(key, ahead.bytes, ahead.buffer, run.now);
  return undefined;
}

/** A fragment's PUT failed: on a job sized to the link, a timeout halves the size (chunkSizing.ts). */
function fragmentFailed(run: StepRun, job: UploadJob, err: unknown): Promise<StepResult> {
  if (err instanceof GraphFailure && err.status === 404 && !run.signal?.aborted) {
    return sessionNotFoundOnce(run, err);
  }
  const timedOut = err instanceof GraphFailure && err.kind === "timeout";
  const shrunk = job.autoChunk && timedOut ? { ...job, chunkSize: sizeAfterTimeout(job.chunkSize) } : job;
  return run.failure(shrunk, err, "fragment");
}
