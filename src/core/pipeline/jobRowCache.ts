/**
 * The rows this process just wrote when scheduling a job's next step, so the next wake of that job in the same
 * process can skip reading its row (docs/pipeline.md "Performance"). An entry is only ever a guess: the worker
 * uses it for one conditional write, whose ETag proves the row is unchanged since this process wrote it, and
 * falls back to a read when that write fails. Bounded: the least recently stored entry goes first.
 */
import type { StoredJob } from "../ports/stores.js";

export const DEFAULT_ROW_CACHE_ENTRIES = 256;

export class JobRowCache {
  /** A Map iterates in insertion order: re-inserting on store makes its first key the oldest entry. */
  private readonly rows = new Map<string, StoredJob>();

  constructor(private readonly maxEntries = DEFAULT_ROW_CACHE_ENTRIES) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1)
      throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);
  }

  /** Remembers the row as written (its stored form, with the ETag the write returned). */
  store(row: StoredJob): void {
    const { jobId } = row.job;
    this.rows.delete(jobId);
    this.rows.set(jobId, row);
    if (this.rows.size > this.maxEntries) {
      const oldest = this.rows.keys().next();
      if (!oldest.done) this.rows.delete(oldest.value);
    }
  }

  /**
   * Removes the job's entry and returns it when it was written for this `wakeSeq`. Taking always removes: an
   * entry serves at most one wake, and a mismatching one is outdated or meant for a wake this one is not.
   */
  take(jobId: string, wakeSeq: number): StoredJob | undefined {
    const row = this.rows.get(jobId);
    this.rows.delete(jobId);
    return row?.wakeSeq === wakeSeq ? row : undefined;
  }

  get size(): number {
    return this.rows.size;
  }
}
