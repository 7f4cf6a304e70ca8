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
  maxBytes: 64 * FRAGMENT_QUANTUM, // 20 MiB
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
  const ceiling = Math.min(limits.maxBytes, (rate * limits.deadlineMs) / 4000, MAX_FRAGMENT_BYTES - 1);
  const stepped = Math.min(Math.max(wanted, current / 2), current * 2);
  const bounded = Math.min(Math.max(stepped, limits.minBytes), ceiling);
  return { chunkSize: quantised(bounded), bytesPerSecond: Math.round(rate) };
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
