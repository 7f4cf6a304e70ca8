import type { UploadJob } from "../../../src/core/job/job.js";
import type { JobStore, StoredJob } from "../../../src/core/ports/stores.js";

/** A job store that counts the reads and conditional writes made through it (the row cache tests). */
export class CountingJobStore implements JobStore {
  gets = 0;
  replaces = 0;
  constructor(private readonly inner: JobStore) {}
  createJobs(jobs: readonly UploadJob[]): Promise<void> {
    return this.inner.createJobs(jobs);
  }
  get(jobId: string, requestId?: string): Promise<StoredJob | undefined> {
    this.gets += 1;
    return this.inner.get(jobId, requestId);
  }
  replace(next: Omit<StoredJob, "etag">, etag: string): Promise<StoredJob> {
    this.replaces += 1;
    return this.inner.replace(next, etag);
  }
  listByRequest(requestId: string): Promise<StoredJob[]> {
    return this.inner.listByRequest(requestId);
  }
  listOverdue(now: number, limit: number): Promise<StoredJob[]> {
    return this.inner.listOverdue(now, limit);
  }
  reset(): void {
    this.gets = 0;
    this.replaces = 0;
  }
}
