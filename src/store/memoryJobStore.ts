/**
 * In-memory twin of TableJobStore: same contract (ETags, 412 as ConcurrencyError, key and size guards), kept
 * honest by the shared contract suite. Stored values are copied in and out, as a real store would.
 */
import { isTerminal, type UploadJob } from "../core/job/job.js";
import { ConcurrencyError, type JobStore, type StoredJob } from "../core/ports/stores.js";
import { toEntity } from "./jobRow.js";

export class MemoryJobStore implements JobStore {
  private readonly rows = new Map<string, StoredJob>();
  private etagCounter = 0;

  async createJobs(jobs: readonly UploadJob[]): Promise<void> {
    const first = jobs[0];
    if (!first) return;
    if (jobs.some((job) => job.requestId !== first.requestId))
      throw new Error("createJobs: every job of one call must belong to the same request");
    // Validate everything before writing anything: all or nothing, like a batch transaction.
    for (const job of jobs) {
      toEntity({ job, wakeSeq: 0 });
      if (this.rows.has(job.jobId)) throw new Error(`a job of request ${first.requestId} already exists`);
    }
    if (new Set(jobs.map((job) => job.jobId)).size !== jobs.length)
      throw new Error(`a job of request ${first.requestId} already exists`);
    for (const job of jobs) this.rows.set(job.jobId, copy({ job, wakeSeq: 0, etag: this.nextEtag() }));
  }

  async get(jobId: string, requestId?: string): Promise<StoredJob | undefined> {
    const row = this.rows.get(jobId);
    if (!row || (requestId !== undefined && row.job.requestId !== requestId)) return undefined;
    return copy(row);
  }

  async replace(next: Omit<StoredJob, "etag">, etag: string): Promise<StoredJob> {
    toEntity(next);
    const current = this.rows.get(next.job.jobId);
    if (!current || current.etag !== etag) throw new ConcurrencyError(next.job.jobId);
    const stored = copy({ ...next, etag: this.nextEtag() });
    this.rows.set(next.job.jobId, stored);
    return copy(stored);
  }

  async listByRequest(requestId: string): Promise<StoredJob[]> {
    return [...this.rows.values()].filter((row) => row.job.requestId === requestId).map(copy);
  }

  async listOverdue(now: number, limit: number): Promise<StoredJob[]> {
    return [...this.rows.values()]
      .filter(
        (row) =>
          !isTerminal(row.job.status) &&
          (row.job.nextWakeAt ?? row.job.updatedAt) < now &&
          (row.leaseUntil ?? 0) < now,
      )
      .slice(0, limit)
      .map(copy);
  }

  private nextEtag(): string {
    this.etagCounter += 1;
    return `W/"mem-${this.etagCounter}"`;
  }
}

function copy(row: StoredJob): StoredJob {
  return structuredClone(row);
}
