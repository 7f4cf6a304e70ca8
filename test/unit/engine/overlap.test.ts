import { describe, expect, it } from "vitest";
import type { FragmentOutcome } from "../../../src/core/ports/graph.js";
import { GraphFailure } from "../../../src/core/ports/graphFailure.js";
import { ChunkBufferPool, sizeClass } from "../../../src/core/upload/bufferPool.js";
import { step } from "../../../src/core/upload/engine.js";
import { requestBudget } from "../../../src/core/upload/pacing.js";
import { DEFAULT_POLICY } from "../../../src/core/upload/policy.js";
import { PrefetchCache } from "../../../src/core/upload/prefetch.js";
import { type Harness, harness, KIB320, runToEnd, stepUntil } from "./harness.js";

/** A harness whose source reads into the offered buffer, counting reads and buffers in use. */
function overlapped(size: number, chunkSize: number) {
  const h = harness(size, { simpleUploadMax: 0, chunkSize });
  const pool = new ChunkBufferPool();
  const inUse = new Set<Uint8Array>();
  let peakInUse = 0;
  const acquire = pool.acquire.bind(pool);
  const release = pool.release.bind(pool);
  pool.acquire = (n) => {
    const b = acquire(n);
    inUse.add(b);
    peakInUse = Math.max(peakInUse, inUse.size);
    return b;
  };
  pool.release = (b) => {
    inUse.delete(b);
    release(b);
  };
  h.deps.buffers = pool;
  const reads: number[] = [];
  const read = h.source.read.bind(h.source);
  h.source.read = async (offset, length, expected, signal, into) => {
    reads.push(offset);
    const bytes = await read(offset, length, expected, signal);
    if (!into) return bytes;
    into.set(bytes);
    return into.subarray(0, length);
  };
  return { h, pool, reads, peak: () => peakInUse, inUse };
}

function sentOffsets(h: Harness): number[] {
  return h.graph.fragmentStarts;
}

describe("overlap: the next fragment is read while one is on the wire", () => {
  it("reads each fragment once, holds at most two buffers, and uploads byte-identical", async () => {
    const size = 5 * KIB320 + 17;
    const { h, pool, reads, peak } = overlapped(size, KIB320);
    await runToEnd(h);
    expect(h.job.status).toBe("completed");
    expect(h.job.result?.verification).toBe("hash");
    expect(h.graph.stored("drive-1", "/folder/file.bin")?.equals(h.source.data)).toBe(true);
    // Six fragments, each read once: five by the step before (read-ahead), the first by its own step.
    expect(reads).toEqual([0, 1, 2, 3, 4, 5].map((i) => i * KIB320));
    expect(pool.prefetch.stats.used).toBe(5);
    expect(h.graph.count("fragment")).toBe(6);
    expect(h.job.attempts.requests).toBe(1 + 6);
    expect(peak()).toBeLessThanOrEqual(2);
    expect(pool.prefetch.size).toBe(0);
  });

  it("throws the read-ahead away when the server confirms another offset, and sends no extra request", async () => {
    const size = 6 * KIB320;
    const { h, pool, reads } = overlapped(size, 2 * KIB320);
    // The second fragment: the server keeps only its first half and says so in nextExpectedRanges.
    const upload = h.graph.uploadFragment.bind(h.graph);
    let calls = 0;
    h.graph.uploadFragment = (url, fragment, signal, options): Promise<FragmentOutcome> => {
      calls++;
      const kept = calls === 2 ? { ...fragment, bytes: fragment.bytes.subarray(0, KIB320) } : fragment;
      return upload(url, kept, signal, options);
    };
    await runToEnd(h);
    expect(h.job.status).toBe("completed");
    expect(h.graph.stored("drive-1", "/folder/file.bin")?.equals(h.source.data)).toBe(true);
    // The read-ahead at 4 x 320 KiB is dropped; the next step reads from 3 x 320 KiB, where the server is.
    expect(sentOffsets(h)).toEqual([0, 2 * KIB320, 3 * KIB320, 5 * KIB320]);
    expect(reads).toEqual([0, 2 * KIB320, 4 * KIB320, 3 * KIB320, 5 * KIB320]);
    expect(pool.prefetch.stats.discarded).toBe(0); // never stored: the answer already said another offset
    expect(pool.prefetch.stats.used).toBe(2);
    expect(h.job.attempts.requests).toBe(1 + 4);
  });

  it("uses no read-ahead of a source that changed; the job restarts from the new version", async () => {
    const size = 4 * KIB320;
    const { h, pool } = overlapped(size, KIB320);
    await stepUntil(h, (j) => j.confirmedOffset === KIB320);
    expect(pool.prefetch.size).toBe(1);
    // Changed while the second fragment is on the wire, before its read-ahead: the read-ahead fails its
    // version check, nothing is kept, and the next step's own read notices the change.
    const upload = h.graph.uploadFragment.bind(h.graph);
    let changed = false;
    h.graph.uploadFragment = async (url, fragment, signal, options) => {
      if (!changed) {
        changed = true;
        const next = Buffer.from(h.source.data);
        next[3 * KIB320] = (next[3 * KIB320] ?? 0) ^ 0xff;
        h.source.replace(next);
      }
      return upload(url, fragment, signal, options);
    };
    await runToEnd(h);
    expect(h.job.status).toBe("completed");
    expect(h.job.attempts.sourceRestarts).toBe(1);
    expect(h.graph.stored("drive-1", "/folder/file.bin")?.equals(h.source.data)).toBe(true);
    expect(pool.prefetch.size).toBe(0);
  });

  it("keeps no read-ahead across a wait, and drops one of another session or job state", async () => {
    const size = 4 * KIB320;
    const { h, pool } = overlapped(size, KIB320);
    await stepUntil(h, (j) => j.confirmedOffset === KIB320);
    expect(pool.prefetch.size).toBe(1);
    // The job row moved on elsewhere (another instance took a step): the step count no longer matches.
    const elsewhere = { ...h.job, attempts: { ...h.job.attempts, steps: h.job.attempts.steps + 1 } };
    const result = await step(elsewhere, h.deps);
    expect(result.job.confirmedOffset).toBe(2 * KIB320);
    expect(pool.prefetch.stats.discarded).toBe(1);
    h.job = result.job;
    // A failed PUT: the step waits, and its read-ahead goes back to the pool.
    h.graph.faults.push({ op: "fragment", failure: new GraphFailure({ kind: "timeout", message: "slow" }) });
    const failed = await step(h.job, h.deps);
    expect(failed.next.type).toBe("wait");
    expect(pool.prefetch.size).toBe(0);
  });
});

describe("chunks sized to the link", () => {
  it("a job without a set size starts at 10 MiB, and a timeout halves it", async () => {
    const h = harness(40 * 1024 * 1024, { simpleUploadMax: 0, chunkSize: 0 });
    expect(h.job.chunkSize).toBe(32 * KIB320);
    expect(h.job.autoChunk).toEqual({});
    await stepUntil(h, (j) => j.session !== undefined);
    h.graph.faults.push({ op: "fragment", failure: new GraphFailure({ kind: "timeout", message: "slow" }) });
    await step(h.job, h.deps).then((r) => {
      h.job = r.job;
    });
    expect(h.job.chunkSize).toBe(16 * KIB320);
    expect(h.job.lastError?.code).toBe("timeout");
  });

  it("grows on a fast link as the clock measures it, and the job records the size in use", async () => {
    const h = harness(60 * 1024 * 1024, { simpleUploadMax: 0, chunkSize: 0 });
    const upload = h.graph.uploadFragment.bind(h.graph);
    // 100 MiB/s: 10 MiB take 100 ms on the wire.
    h.graph.uploadFragment = async (url, fragment, signal, options) => {
      h.clock.advance(Math.round((fragment.bytes.byteLength / (100 * 1024 * 1024)) * 1000));
      return upload(url, fragment, signal, options);
    };
    await stepUntil(h, (j) => j.confirmedOffset > 0);
    expect(h.job.chunkSize).toBe(64 * KIB320); // doubled (at most x2 per fragment)
    expect(h.job.autoChunk?.bytesPerSecond).toBeGreaterThan(100_000_000);
    await runToEnd(h);
    expect(h.job.status).toBe("completed");
    expect(h.graph.stored("drive-1", "/folder/file.bin")?.equals(h.source.data)).toBe(true);
    // 10 MiB, 20 MiB, then the 30 MiB left in one fragment (doubled to 40 MiB, the rest fits).
    expect(h.graph.fragmentStarts).toEqual([0, 32 * KIB320, 96 * KIB320]);
  });

  it("grows to its 40 MiB cap, reading each fragment once at its grown size, with at most two buffers", async () => {
    const size = 200 * 1024 * 1024 + 5;
    const { h, reads, peak, pool } = overlapped(size, 0);
    const upload = h.graph.uploadFragment.bind(h.graph);
    h.graph.uploadFragment = async (url, fragment, signal, options) => {
      h.clock.advance(Math.round((fragment.bytes.byteLength / (200 * 1024 * 1024)) * 1000));
      return upload(url, fragment, signal, options);
    };
    await runToEnd(h);
    expect(h.job.status).toBe("completed");
    expect(h.graph.stored("drive-1", "/folder/file.bin")?.equals(h.source.data)).toBe(true);
    const MiB = 1024 * 1024;
    // 10, 20, 40, 40, 40, 40 MiB, then 10 MiB + 5 bytes: 7 fragments where 10 MiB chunks take 21.
    const starts = [0, 10, 30, 70, 110, 150, 190].map((m) => m * MiB);
    expect(h.graph.fragmentStarts).toEqual(starts);
    // The read-ahead guessed each grown size: every fragment was read once, by the step before it.
    expect(reads).toEqual(starts);
    expect(pool.prefetch.stats.used).toBe(6);
    expect(h.job.attempts.requests).toBe(1 + 7);
    expect(peak()).toBeLessThanOrEqual(2);
  });

  it("sends a file's last bytes with the fragment before when they are at most half a chunk: 12 MiB in one", async () => {
    const auto = harness(12 * 1024 * 1024, { simpleUploadMax: 0, chunkSize: 0 });
    await runToEnd(auto);
    expect(auto.job.status).toBe("completed");
    expect(auto.graph.fragmentStarts).toEqual([0]);
    expect(auto.graph.count("fragment")).toBe(1);
    expect(auto.job.attempts.requests).toBe(1 + 1);
    expect(auto.graph.stored("drive-1", "/folder/file.bin")?.equals(auto.source.data)).toBe(true);
    // A set size is kept to the byte: 10 MiB + 2 MiB.
    const fixed = harness(12 * 1024 * 1024, { simpleUploadMax: 0, chunkSize: 32 * KIB320 });
    await runToEnd(fixed);
    expect(fixed.graph.fragmentStarts).toEqual([0, 32 * KIB320]);
    // Past half a chunk, the tail goes on its own: 16 MiB = 10 + 6.
    const longer = harness(16 * 1024 * 1024, { simpleUploadMax: 0, chunkSize: 0 });
    await runToEnd(longer);
    expect(longer.graph.fragmentStarts).toEqual([0, 32 * KIB320]);
  });

  it("a set size never changes", async () => {
    const h = harness(8 * KIB320, { simpleUploadMax: 0, chunkSize: 2 * KIB320 });
    h.graph.uploadFragment = (
      (upload) =>
      async (...args: Parameters<typeof upload>) => {
        h.clock.advance(1);
        return upload(...args);
      }
    )(h.graph.uploadFragment.bind(h.graph));
    await runToEnd(h);
    expect(h.job.chunkSize).toBe(2 * KIB320);
    expect(h.job.autoChunk).toBeUndefined();
  });

  it("the request budget never counts fragments larger than the 10 MiB a sized job starts at", () => {
    const h = harness(100 * 1024 * 1024, { simpleUploadMax: 0, chunkSize: 0 });
    const job = { ...h.job, fingerprint: { size: 100 * 1024 * 1024, version: "1" } };
    const at10 = requestBudget(job, DEFAULT_POLICY);
    expect(at10).toBe(48 + 6 * 10);
    expect(requestBudget({ ...job, chunkSize: 64 * KIB320 }, DEFAULT_POLICY)).toBe(at10);
    expect(requestBudget({ ...job, chunkSize: 16 * KIB320 }, DEFAULT_POLICY)).toBe(48 + 6 * 20);
  });
});

describe("buffer pool size classes", () => {
  it("lends a small file its size class, not a chunk, and reuses within a class", () => {
    const pool = new ChunkBufferPool();
    const small = pool.acquire(200 * 1024);
    expect(small.byteLength).toBe(256 * 1024);
    pool.release(small);
    expect(pool.acquire(150 * 1024) === small).toBe(true);
    expect(sizeClass(10 * 1024 * 1024)).toBe(16 * 1024 * 1024);
    expect(sizeClass(1)).toBe(64 * 1024);
  });

  it("drops the oldest free buffers past its byte cap", () => {
    const pool = new ChunkBufferPool(8, 32 * 1024 * 1024);
    const a = pool.acquire(16 * 1024 * 1024);
    const b = pool.acquire(16 * 1024 * 1024);
    const c = pool.acquire(16 * 1024 * 1024);
    for (const buffer of [a, b, c]) pool.release(buffer);
    expect(pool.freeBytes()).toBe(32 * 1024 * 1024);
    expect(pool.acquire(16 * 1024 * 1024) === a).toBe(false);
  });

  it("drops free chunk buffers a larger chunk outgrew, keeping small-file and larger ones", () => {
    const MiB = 1024 * 1024;
    const pool = new ChunkBufferPool();
    const [small, c16, c64] = [200 * 1024, 10 * MiB, 40 * MiB].map((n) => pool.acquire(n));
    for (const buffer of [small, c16, c64]) pool.release(buffer as Uint8Array);
    expect(pool.freeBytes()).toBe((0.25 + 16 + 64) * MiB);
    // A 20 MiB chunk takes the free 64 MiB one: nothing new allocated, nothing dropped.
    const reused = pool.acquire(20 * MiB);
    expect(reused === c64).toBe(true);
    expect(pool.freeBytes()).toBe((0.25 + 16) * MiB);
    // Another 20 MiB chunk with none free: a new 32 MiB buffer; the free 16 MiB one is outgrown and dropped.
    expect(pool.acquire(20 * MiB).byteLength).toBe(32 * MiB);
    expect(pool.freeBytes()).toBe(0.25 * MiB);
    expect(pool.acquire(100 * 1024) === small).toBe(true);
  });
});

describe("the read-ahead cache", () => {
  const key = (jobId: string, offset = 0) => ({
    jobId,
    uploadUrl: "u",
    sessionCreatedAt: 1,
    offset,
    fingerprintSize: 10,
    fingerprintVersion: "v",
    steps: 3,
  });

  it("drops entries past their age and past its size, giving their buffers back", () => {
    const returned: Uint8Array[] = [];
    const cache = new PrefetchCache({ release: (b) => returned.push(b) }, 2, 60_000);
    const a = new Uint8Array(8);
    cache.store(key("a"), a, a, 0);
    cache.store(key("b"), new Uint8Array(8), undefined, 1);
    cache.store(key("c"), new Uint8Array(8), undefined, 2); // over 2 entries: the oldest (a) goes
    expect(returned).toEqual([a]);
    expect(cache.take(key("a"), 8, 4, 3)).toBeUndefined();
    // b is too old when c is taken: expired on the way.
    expect(cache.take(key("c"), 8, 4, 60_002)?.bytes.byteLength).toBe(8);
    expect(cache.size).toBe(0);
  });

  it("uses a read-ahead only for the same key, cut to a shorter fragment or whole in quanta", () => {
    const cache = new PrefetchCache({ release: () => {} });
    cache.store(key("a", 8), new Uint8Array(8), undefined, 0);
    expect(cache.take(key("a", 4), 8, 4, 0)).toBeUndefined(); // another offset: dropped
    expect(cache.size).toBe(0);
    cache.store(key("a", 8), new Uint8Array(8), undefined, 0);
    expect(cache.take(key("a", 8), 6, 4, 0)?.bytes.byteLength).toBe(6);
    cache.store(key("a", 8), new Uint8Array(8), undefined, 0);
    expect(cache.take(key("a", 8), 12, 4, 0)?.bytes.byteLength).toBe(8);
    cache.store(key("a", 8), new Uint8Array(7), undefined, 0);
    expect(cache.take(key("a", 8), 12, 4, 0)).toBeUndefined(); // 7 bytes end nowhere legal
  });
});
