/**
 * Fragments sized to the link (docs/upload.md "Chunk size"), for jobs whose chunk size nobody set. Each
 * fragment's wire time gives a throughput sample; the next size aims at a fragment that takes `targetMs` on the
 * wire, so the round trip each fragment waits for is a small share of its time, while a fragment stays well
 * inside the request deadline and Graph's 60 MiB limit (docs/graph-protocol.md "Upload sessions"). Sizes move
 * by at most a factor of two per fragment and are multiples of 320 KiB. A timeout halves the size.
 * Pure: the engine feeds it measurements taken with its injected clock.
 */
import type { UploadJob } from "../job/job.js";
import { FRAGMENT_QUANTUM, MAX_FRAGMENT_BYTES } from "./chunkPlan.js";

export interface ChunkSizingLimits {
  /** Smallest size growth or shrinking by measurement goes to (a timeout may go lower, to one quantum). */
  readonly minBytes: number;
  /** Largest size: also bounds memory, two chunks per active upload with read-ahead (docs/design.md invariant 4). */
  readonly maxBytes: number;
  /** Wire time one fragment should take. */
  readonly targetMs: number;
  /** The request deadline: a fragment is sized to take at most a quarter of it at the measured rate. */
  readonly deadlineMs: number;
}

export const DEFAULT_CHUNK_SIZING: ChunkSizingLimits = {
  minBytes: 8 * FRAGMENT_QUANTUM, // 2.5 MiB
  maxBytes: 128 * FRAGMENT_QUANTUM, // 40 MiB
  targetMs: 3_000,
  deadlineMs: 120_000, // GRAPH_REQUEST_TIMEOUT_MS's default (src/config/graph.ts)
};

/** One fragment that went out and was answered: its length and its time on the wire. */
export interface LinkSample {
  readonly bytes: number;
  readonly ms: number;
}

export interface SizedChunk {
  readonly chunkSize: number;
  /** Smoothed throughput (bytes per second), kept in the job for the next step. */
  readonly bytesPerSecond: number | undefined;
}

/** The size for the next fragment after one was answered. */
export function sizeAfterFragment(
  current: number,
  bytesPerSecond: number | undefined,
  sample: LinkSample,
  limits: ChunkSizingLimits = DEFAULT_CHUNK_SIZING,
): SizedChunk {
  // A clock that did not move (tests, coarse timers) or a tiny fragment says nothing about the link.
  if (sample.ms < 1 || sample.bytes < FRAGMENT_QUANTUM) return { chunkSize: current, bytesPerSecond };
  const measured = (sample.bytes * 1000) / sample.ms;
  const rate = bytesPerSecond === undefined ? measured : (bytesPerSecond + measured) / 2;
  const wanted = (rate * limits.targetMs) / 1000;
  const ceiling = ceilingFor(rate, limits);
  const stepped = Math.min(Math.max(wanted, current / 2), current * 2);
  const bounded = Math.min(Math.max(stepped, limits.minBytes), ceiling);
  return { chunkSize: quantised(bounded), bytesPerSecond: Math.round(rate) };
}

/**
 * The largest fragment at the measured rate: the cap, a quarter of the request deadline's worth, and under
 * Graph's 60 MiB limit (`rate` undefined: nothing measured yet, the cap alone).
 */
export function ceilingFor(rate: number | undefined, limits: ChunkSizingLimits): number {
  const byDeadline = rate === undefined ? Number.POSITIVE_INFINITY : (rate * limits.deadlineMs) / 4000;
  return quantised(Math.min(limits.maxBytes, byDeadline, MAX_FRAGMENT_BYTES - 1));
}

/**
 * The bytes of a fragment of `chunk` when `rest` bytes are left to the end of the file: the chunk, or the whole
 * rest when that is at most half a chunk more and within `ceiling`. Every fragment costs a round trip however
 * small (docs/emulator.md "Latency"), so a 12 MiB file goes in one 12 MiB fragment rather than 10 + 2.
 * Only a file's last fragment may be a size that is not a multiple of 320 KiB, and this one is the last.
 */
export function withTail(chunk: number, rest: number, ceiling: number): number {
  return rest > chunk && rest <= chunk + chunk / 2 && rest <= ceiling ? rest : chunk;
}

/**
 * The length of the next fragment of a job from its confirmed offset: its chunk size, with the tail merged
 * when the job is sized to the link and the server's missing range runs to the end of the file.
 */
export function fragmentLength(job: UploadJob, size: number, limits: ChunkSizingLimits): number {
  if (!job.autoChunk || job.missingRangeEnd !== undefined) return job.chunkSize;
  return withTail(
    job.chunkSize,
    size - job.confirmedOffset,
    ceilingFor(job.autoChunk.bytesPerSecond, limits),
  );
}

/**
 * How much to read ahead from `start` while the fragment before it is on the wire (overlap.ts): the size the
 * next fragment will most likely have once this one is answered, predicted from the smoothed rate (from the
 * first fragment, before any rate is known: twice the chunk, as the first answer on any fast link grows it),
 * its tail merged. A wrong guess costs little: a longer read-ahead is cut to the fragment (prefetch.ts), a
 * shorter one is sent as it is and the size moves one step later.
 */
export function readAheadLength(
  job: UploadJob,
  start: number,
  size: number,
  limits: ChunkSizingLimits,
): number {
  const rest = size - start;
  if (!job.autoChunk) return Math.min(job.chunkSize, rest);
  const rate = job.autoChunk.bytesPerSecond;
  const ceiling = ceilingFor(rate, limits);
  const predicted =
    rate === undefined
      ? Math.min(job.chunkSize * 2, ceiling)
      : sizeAfterFragment(
          job.chunkSize,
          rate,
          { bytes: job.chunkSize, ms: (job.chunkSize * 1000) / rate },
          limits,
        ).chunkSize;
  return Math.min(rest, withTail(predicted, rest, ceiling));
}

/** The size after a fragment timed out: half, down to one quantum. */
export function sizeAfterTimeout(current: number): number {
  return quantised(current / 2);
}

function quantised(bytes: number): number {
  return Math.max(FRAGMENT_QUANTUM, Math.floor(bytes / FRAGMENT_QUANTUM) * FRAGMENT_QUANTUM);
}

/** The job with its chunk size after a fragment's measurement, when it is sized to the link; else as it is. */
export function resizedJob(job: UploadJob, sample: LinkSample, limits: ChunkSizingLimits): UploadJob {
  if (!job.autoChunk) return job;
  const sized = sizeAfterFragment(job.chunkSize, job.autoChunk.bytesPerSecond, sample, limits);
  const rate = sized.bytesPerSecond;
  return {
    ...job,
    chunkSize: sized.chunkSize,
    autoChunk: rate === undefined ? {} : { bytesPerSecond: rate },
  };
}
