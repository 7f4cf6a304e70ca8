/**
 * In-memory twin of TableJobStore: same contract (ETags, 412 as ConcurrencyError, key and size guards), kept
 * honest by the shared contract suite. Stored values are copied in and out, as a real store would.
 */
import type { UploadJob } from "../core/job/job.js";
import { ConcurrencyError, type JobStore, type StoredJob } from "../core/ports/stores.js";
import { toEntity } from "./jobRow.js";
import { checkNewJobs, overdueRows, rowOf, rowsOfRequest } from "./jobRowQueries.js";

export class MemoryJobStore implements JobStore {
  private readonly rows = new Map<string, StoredJob>();
  private etagCounter = 0;

  async createJobs(jobs: readonly UploadJob[]): Promise<void> {
    if (jobs.length === 0) return;
    checkNewJobs(this.rows, jobs);
    for (const job of jobs) this.rows.set(job.jobId, copy({ job, wakeSeq: 0, etag: this.nextEtag() }));
  }

  async get(jobId: string, requestId?: string): Promise<StoredJob | undefined> {
    return rowOf(this.rows, jobId, requestId);
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
    return rowsOfRequest(this.rows, requestId);
  }

  async listOverdue(now: number, limit: number): Promise<StoredJob[]> {
    return overdueRows(this.rows, now, limit);
  }

  private nextEtag(): string {
    this.etagCounter += 1;
    return `W/"mem-${this.etagCounter}"`;
  }
}

function copy(row: StoredJob): StoredJob {
  return structuredClone(row);
}
