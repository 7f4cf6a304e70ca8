/**
 * The pure sizing rules of src/core/upload/chunkSizing.ts (docs/upload.md "Chunk size"): the ceiling, the merged
 * tail, and the read-ahead's guess of the next size. The engine's use of them is in overlap.test.ts.
 */
import { describe, expect, it } from "vitest";
import {
  ceilingFor,
  DEFAULT_CHUNK_SIZING,
  fragmentLength,
  readAheadLength,
  withTail,
} from "../../../src/core/upload/chunkSizing.js";
import { harness, KIB320 } from "./harness.js";

const MiB = 1024 * 1024;

describe("chunk sizing rules", () => {
  it("the ceiling is the 40 MiB cap, or a quarter of the deadline's worth at a slow rate, in quanta", () => {
    expect(ceilingFor(undefined, DEFAULT_CHUNK_SIZING)).toBe(40 * MiB);
    expect(ceilingFor(1e9, DEFAULT_CHUNK_SIZING)).toBe(40 * MiB);
    // 100 KB/s over a 120 s deadline: 3 MB, floored to 9 x 320 KiB.
    expect(ceilingFor(100_000, DEFAULT_CHUNK_SIZING)).toBe(9 * KIB320);
    // Never Graph's 60 MiB, whatever the cap says.
    expect(ceilingFor(1e9, { ...DEFAULT_CHUNK_SIZING, maxBytes: 100 * MiB })).toBe(191 * KIB320);
  });

  it("merges a tail of at most half a chunk, never past the ceiling", () => {
    expect(withTail(10 * MiB, 15 * MiB, 40 * MiB)).toBe(15 * MiB);
    expect(withTail(10 * MiB, 15 * MiB + 1, 40 * MiB)).toBe(10 * MiB);
    expect(withTail(10 * MiB, 8 * MiB, 40 * MiB)).toBe(10 * MiB); // nextFragment cuts it to the rest
    expect(withTail(40 * MiB, 50 * MiB, 40 * MiB)).toBe(40 * MiB);
  });

  it("merges only for a job sized to the link whose missing range runs to the end of the file", () => {
    const { job } = harness(12 * MiB, { simpleUploadMax: 0, chunkSize: 0 });
    expect(fragmentLength(job, 12 * MiB, DEFAULT_CHUNK_SIZING)).toBe(12 * MiB);
    // The server said bytes up to 11 MiB are missing, then it holds the rest: that fragment ends at the gap.
    expect(fragmentLength({ ...job, missingRangeEnd: 11 * MiB - 1 }, 12 * MiB, DEFAULT_CHUNK_SIZING)).toBe(
      10 * MiB,
    );
    const { job: fixed } = harness(12 * MiB, { simpleUploadMax: 0, chunkSize: 32 * KIB320 });
    expect(fragmentLength(fixed, 12 * MiB, DEFAULT_CHUNK_SIZING)).toBe(10 * MiB);
  });

  it("reads ahead the size the next fragment will most likely have", () => {
    const { job } = harness(200 * MiB, { simpleUploadMax: 0, chunkSize: 0 });
    // Nothing measured yet: twice the chunk.
    expect(readAheadLength(job, 10 * MiB, 200 * MiB, DEFAULT_CHUNK_SIZING)).toBe(20 * MiB);
    // A slow link (1 MB/s): ~3 s of it would be 3 MB, but a size is never more than halved per step.
    const slow = { ...job, autoChunk: { bytesPerSecond: 1_000_000 } };
    expect(readAheadLength(slow, 10 * MiB, 200 * MiB, DEFAULT_CHUNK_SIZING)).toBe(5 * MiB); // 3 MB wanted, halved at most
    // Near the end: the rest, merged.
    expect(readAheadLength(job, 190 * MiB, 200 * MiB, DEFAULT_CHUNK_SIZING)).toBe(10 * MiB);
    const { job: fixed } = harness(200 * MiB, { simpleUploadMax: 0, chunkSize: 32 * KIB320 });
    expect(readAheadLength(fixed, 10 * MiB, 200 * MiB, DEFAULT_CHUNK_SIZING)).toBe(10 * MiB);
  });
});
