/**
 * JobStore on Azure Table Storage (@azure/data-tables): one row per job (see jobRow.ts), every write
 * conditional on the row's ETag; 412 becomes ConcurrencyError (docs/platform.md "Table Storage").
 */
import type { TableClient, TransactionAction } from "@azure/data-tables";
import { isTerminal, TERMINAL_STATUSES, type UploadJob } from "../core/job/job.js";
import { ConcurrencyError, type JobStore, type StoredJob } from "../core/ports/stores.js";
import { int64Literal } from "./int64.js";
import { fromEntity, toEntity } from "./jobRow.js";
import { httpStatusOf } from "./restError.js";
import { odataString, tableKey } from "./tableKeys.js";

/** A batch transaction holds at most 100 operations (Table service limits). */
const MAX_BATCH = 100;

export class TableJobStore implements JobStore {
  constructor(
    private readonly table: TableClient,
    private readonly deadlineMs = 30_000,
  ) {}

  async createJobs(jobs: readonly UploadJob[]): Promise<void> {
    if (jobs.length === 0) return;
    const first = jobs[0];
    if (!first) return;
    if (jobs.some((job) => job.requestId !== first.requestId))
      throw new Error("createJobs: every job of one call must belong to the same request");
    if (jobs.length > MAX_BATCH) throw new Error(`createJobs: at most ${MAX_BATCH} jobs per request`);
    const actions: TransactionAction[] = jobs.map((job) => ["create", toEntity({ job, wakeSeq: 0 })]);
    try {
      await this.table.submitTransaction(actions, this.options());
    } catch (err: unknown) {
      if (httpStatusOf(err) === 409) throw new Error(`a job of request ${first.requestId} already exists`);
      throw err;
    }
  }

  async get(jobId: string, requestId?: string): Promise<StoredJob | undefined> {
    if (requestId !== undefined) {
      try {
        const entity = await this.table.getEntity(tableKey(requestId), tableKey(jobId), this.options());
        return fromEntity(entity);
      } catch (err: unknown) {
        if (httpStatusOf(err) === 404) return undefined;
        throw err;
      }
    }
    // Without the partition this is a scan; wake messages carry the request id so workers never need it.
    const rows = await this.query(`RowKey eq ${odataString(tableKey(jobId))}`, 1);
    return rows[0];
  }

  async replace(next: Omit<StoredJob, "etag">, etag: string): Promise<StoredJob> {
    const entity = toEntity(next);
    try {
      const response = await this.table.updateEntity(entity, "Replace", { etag, ...this.options() });
      if (!response.etag) throw new Error("Table Storage answered an update without an ETag");
      return { ...next, etag: response.etag };
    } catch (err: unknown) {
      // 412: someone wrote since we read. 404: the row is gone; either way our view is stale.
      const status = httpStatusOf(err);
      if (status === 412 || status === 404) throw new ConcurrencyError(next.job.jobId);
      throw err;
    }
  }

  listByRequest(requestId: string): Promise<StoredJob[]> {
    return this.query(`PartitionKey eq ${odataString(tableKey(requestId))}`);
  }

  async listOverdue(now: number, limit: number): Promise<StoredJob[]> {
    const active = TERMINAL_STATUSES.map((s) => `status ne ${odataString(s)}`).join(" and ");
    const filter = `${active} and nextWakeAt lt ${int64Literal(now)} and leaseUntil lt ${int64Literal(now)}`;
    const rows = await this.query(filter, limit);
    // The filter already excludes terminal rows; keep the guard in case of an older row shape.
    return rows.filter((row) => !isTerminal(row.job.status));
  }

  private async query(filter: string, limit = Number.POSITIVE_INFINITY): Promise<StoredJob[]> {
    const out: StoredJob[] = [];
    const pages = this.table
      .listEntities({ queryOptions: { filter }, ...this.options() })
      .byPage({ maxPageSize: Math.min(1000, Number.isFinite(limit) ? limit : 1000) });
    for await (const page of pages) {
      for (const entity of page) {
        out.push(fromEntity(entity));
        if (out.length >= limit) return out;
      }
    }
    return out;
  }

  private options(): { abortSignal: AbortSignal } {
    return { abortSignal: AbortSignal.timeout(this.deadlineMs) };
  }
}
