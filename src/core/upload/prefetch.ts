/**
 * The read-ahead cache (docs/upload.md "Overlap"): while fragment n is on the wire, the step reads fragment n+1
 * into a second buffer; when the server's answer confirms exactly the bytes before it, the step leaves it here,
 * and the job's next step in this process sends it instead of reading it again. Per process, so the CLI and the
 * queue Function get it alike; in the queue Function it helps only when the next wake lands on the same
 * instance. The read happens inside step n, under step n's lease, and the step waits for it before returning:
 * no source read outlives the lease it ran under (docs/design.md invariant 2).
 *
 * A read-ahead is only a cache: it is used only when everything matches (job, session, offset, source
 * version, step number), and thrown away on any doubt: another offset after a status answer, a new session, a
 * changed fingerprint, a step that did not continue at once, or age. Memory: one entry per job, at most
 * `maxEntries` in all, each one chunk buffer, so an active upload holds at most two (the one on the wire and
 * the one read ahead).
 */
import type { UploadJob } from "../job/job.js";

/** What a read-ahead must match to be used: the job's state when the next step starts. */
export interface PrefetchKey {
  readonly jobId: string;
  /** The session it was read for: its upload URL (held in memory only, like the job) and creation time. */
  readonly uploadUrl: string;
  readonly sessionCreatedAt: number;
  readonly offset: number;
  readonly fingerprintSize: number;
  readonly fingerprintVersion: string;
  /** `attempts.steps` of the job the next step receives: a job row that moved on elsewhere does not match. */
  readonly steps: number;
}

interface Entry {
  readonly key: PrefetchKey;
  readonly bytes: Uint8Array;
  /** The pooled buffer `bytes` is a view of, returned to the pool when the entry is dropped. */
  readonly buffer: Uint8Array | undefined;
  readonly at: number;
}

/** Where dropped buffers go back (the buffer pool). */
export interface BufferReturn {
  release(buffer: Uint8Array): void;
}

export class PrefetchCache {
  private readonly entries = new Map<string, Entry>();
  /** Hits and misses, for tests and diagnostics. */
  readonly stats = { stored: 0, used: 0, discarded: 0 };

  constructor(
    private readonly buffers: BufferReturn,
    private readonly maxEntries = 8,
    private readonly maxAgeMs = 60_000,
  ) {}

  /** The key a job's next fragment must match, or undefined when it has no session or fingerprint. */
  static keyFor(job: UploadJob, offset: number): PrefetchKey | undefined {
    if (!job.session || !job.fingerprint) return undefined;
    return {
      jobId: job.jobId,
      uploadUrl: job.session.uploadUrl,
      sessionCreatedAt: job.session.createdAt,
      offset,
      fingerprintSize: job.fingerprint.size,
      fingerprintVersion: job.fingerprint.version,
      steps: job.attempts.steps,
    };
  }

  /** Keeps a read-ahead for the job's next step (replacing any older one of the job). */
  store(key: PrefetchKey, bytes: Uint8Array, buffer: Uint8Array | undefined, now: number): void {
    this.discard(key.jobId);
    this.expire(now);
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.discard(oldest);
    }
    this.entries.set(key.jobId, { key, bytes, buffer, at: now });
    this.stats.stored++;
  }

  /**
   * The read-ahead for this key, taken out of the cache (the caller now owns its buffer), or undefined: none,
   * or one that does not match, which is dropped. `length` is the fragment the step wants: a read-ahead at
   * least that long is cut to it; a shorter one is used only when it is a whole number of `quantum`s (a legal
   * fragment), else dropped.
   */
  take(
    key: PrefetchKey,
    length: number,
    quantum: number,
    now: number,
  ): { readonly bytes: Uint8Array; readonly buffer: Uint8Array | undefined } | undefined {
    this.expire(now, key.jobId);
    const entry = this.entries.get(key.jobId);
    if (!entry) return undefined;
    this.entries.delete(key.jobId);
    const usable =
      sameKey(entry.key, key) &&
      now - entry.at <= this.maxAgeMs &&
      (entry.bytes.byteLength >= length || entry.bytes.byteLength % quantum === 0);
    if (!usable) {
      this.drop(entry);
      return undefined;
    }
    this.stats.used++;
    const bytes = entry.bytes.byteLength > length ? entry.bytes.subarray(0, length) : entry.bytes;
    return { bytes, buffer: entry.buffer };
  }

  /** Drops the job's read-ahead, if any. */
  discard(jobId: string): void {
    const entry = this.entries.get(jobId);
    if (!entry) return;
    this.entries.delete(jobId);
    this.drop(entry);
  }

  /** Read-aheads held now. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Drops read-aheads older than `maxAgeMs` (their jobs' next steps ran elsewhere, or not yet), except `keep`'s,
   * which take() judges itself. Run on every store and take, so no buffer waits long for a step that never comes.
   */
  private expire(now: number, keep?: string): void {
    for (const [jobId, entry] of this.entries) {
      if (jobId !== keep && now - entry.at > this.maxAgeMs) this.discard(jobId);
    }
  }

  private drop(entry: Entry): void {
    this.stats.discarded++;
    if (entry.buffer) this.buffers.release(entry.buffer);
  }
}

function sameKey(a: PrefetchKey, b: PrefetchKey): boolean {
  return (
    a.jobId === b.jobId &&
    a.uploadUrl === b.uploadUrl &&
    a.sessionCreatedAt === b.sessionCreatedAt &&
    a.offset === b.offset &&
    a.fingerprintSize === b.fingerprintSize &&
    a.fingerprintVersion === b.fingerprintVersion &&
    a.steps === b.steps
  );
}
