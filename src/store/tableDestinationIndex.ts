/**
 * DestinationIndex on Table Storage: one row per destination item in its own table (`<JOBS_TABLE>dest`), so
 * the jobs table's queries (the sweeper's filter, a request's partition) never meet it. PartitionKey is the
 * SHA-256 of the item key (keys may be long and hold characters a table key may not); the readable key is kept
 * in a column for people. Creation is an insert (409 when someone was first), a change is a Replace on the
 * row's ETag (412): both become ConcurrencyError, as in the job store. Azurite enforces both the same way.
 */
import { createHash } from "node:crypto";
import type { TableClient } from "@azure/data-tables";
import {
  ConcurrencyError,
  type DestinationEntry,
  type DestinationHolder,
  type DestinationIndex,
} from "../core/ports/stores.js";
import { int64, readInt64 } from "./int64.js";
import { httpStatusOf } from "./restError.js";

const ROW = "holder";

/** The destination table's name for a jobs table (a table name is at most 63 characters). */
export function destinationTableName(jobsTable: string): string {
  return `${jobsTable.slice(0, 59)}dest`;
}

export class TableDestinationIndex implements DestinationIndex {
  constructor(
    private readonly table: TableClient,
    private readonly deadlineMs = 30_000,
  ) {}

  async get(key: string): Promise<DestinationEntry | undefined> {
    try {
      const entity = await this.table.getEntity<Record<string, unknown>>(
        partitionOf(key),
        ROW,
        this.options(),
      );
      const { jobId, requestId, etag } = entity;
      const createdAt = readInt64(entity.createdAt);
      if (typeof jobId !== "string" || typeof requestId !== "string" || typeof etag !== "string")
        throw new Error("destination row is missing its job, request or ETag");
      return { holder: { jobId, requestId, createdAt: createdAt ?? 0 }, etag };
    } catch (err: unknown) {
      if (httpStatusOf(err) === 404) return undefined;
      throw err;
    }
  }

  async put(key: string, holder: DestinationHolder, etag?: string): Promise<void> {
    const entity = {
      partitionKey: partitionOf(key),
      rowKey: ROW,
      key,
      jobId: holder.jobId,
      requestId: holder.requestId,
      createdAt: int64(holder.createdAt),
    };
    try {
      if (etag === undefined) await this.table.createEntity(entity, this.options());
      else await this.table.updateEntity(entity, "Replace", { etag, ...this.options() });
    } catch (err: unknown) {
      const status = httpStatusOf(err);
      if (status === 409 || status === 412 || status === 404) throw new ConcurrencyError(holder.jobId);
      throw err;
    }
  }

  private options(): { abortSignal: AbortSignal } {
    return { abortSignal: AbortSignal.timeout(this.deadlineMs) };
  }
}

function partitionOf(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}
