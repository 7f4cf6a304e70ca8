/**
 * ManifestStore on Azure Table Storage. Two tables: the manifest (partition = mirror + destination, row = path)
 * and the mirror's pending jobs (partition = mirror, row = job id). Keys go through tableKey (docs/platform.md: no
 * `/ \ # ?`, at most 1 KiB); sizes and times are Int64.
 */
import type { TableClient, TableEntityResult } from "@azure/data-tables";
import type { ManifestEntry, ManifestStore, PendingMirrorJob } from "../core/ports/mirror.js";
import { int64, readInt64 } from "./int64.js";
import { httpStatusOf } from "./restError.js";
import { odataString, tableKey } from "./tableKeys.js";

type Row = TableEntityResult<Record<string, unknown>>;

export class TableManifestStore implements ManifestStore {
  constructor(
    private readonly entries: TableClient,
    private readonly pending: TableClient,
    private readonly deadlineMs = 30_000,
  ) {}

  async list(mirror: string, destination: string): Promise<ManifestEntry[]> {
    const filter = `PartitionKey eq ${odataString(entryPartition(mirror, destination))}`;
    const rows = await this.query(this.entries, filter);
    return rows.map(entryFromRow);
  }

  async put(entry: ManifestEntry): Promise<void> {
    await this.entries.upsertEntity(
      {
        partitionKey: entryPartition(entry.mirror, entry.destination),
        rowKey: tableKey(entry.path),
        mirror: entry.mirror,
        destination: entry.destination,
        path: entry.path,
        sourceSize: int64(entry.source.size),
        sourceVersion: entry.source.version,
        driveId: entry.driveId,
        itemId: entry.itemId,
        ...(entry.eTag ? { eTag: entry.eTag } : {}),
        ...(entry.cTag ? { cTag: entry.cTag } : {}),
        ...(entry.quickXorHash ? { quickXorHash: entry.quickXorHash } : {}),
        size: int64(entry.size),
        uploadedAt: int64(entry.uploadedAt),
      },
      "Replace",
      this.options(),
    );
  }

  async remove(mirror: string, destination: string, path: string): Promise<void> {
    await ignore404(() =>
      this.entries.deleteEntity(entryPartition(mirror, destination), tableKey(path), this.options()),
    );
  }

  async trackJob(pending: PendingMirrorJob): Promise<void> {
    await this.pending.upsertEntity(
      {
        partitionKey: tableKey(pending.mirror),
        rowKey: tableKey(pending.jobId),
        jobId: pending.jobId,
        runId: pending.runId,
        mirror: pending.mirror,
        destination: pending.destination,
        destinationLabel: pending.destinationLabel,
        path: pending.path,
        sourceSize: int64(pending.source.size),
        sourceVersion: pending.source.version,
        createdAt: int64(pending.createdAt),
      },
      "Replace",
      this.options(),
    );
  }

  async findJob(jobId: string): Promise<PendingMirrorJob | undefined> {
    const rows = await this.query(this.pending, `RowKey eq ${odataString(tableKey(jobId))}`);
    const row = rows[0];
    return row ? pendingFromRow(row) : undefined;
  }

  async untrackJob(jobId: string): Promise<void> {
    const pending = await this.findJob(jobId);
    if (!pending) return;
    await ignore404(() =>
      this.pending.deleteEntity(tableKey(pending.mirror), tableKey(jobId), this.options()),
    );
  }

  async listPending(mirror: string): Promise<PendingMirrorJob[]> {
    const rows = await this.query(this.pending, `PartitionKey eq ${odataString(tableKey(mirror))}`);
    return rows.map(pendingFromRow);
  }

  private async query(table: TableClient, filter: string): Promise<Row[]> {
    const rows: Row[] = [];
    const pages = table
      .listEntities<Record<string, unknown>>({ queryOptions: { filter }, ...this.options() })
      .byPage({ maxPageSize: 1000 });
    for await (const page of pages) rows.push(...page);
    return rows;
  }

  private options(): { abortSignal: AbortSignal } {
    return { abortSignal: AbortSignal.timeout(this.deadlineMs) };
  }
}

/** Mirror names cannot contain `~` (definitionSchema.ts), so the separator keeps partitions apart. */
function entryPartition(mirror: string, destination: string): string {
  return tableKey(`${mirror}~${destination}`);
}

function entryFromRow(row: Row): ManifestEntry {
  const eTag = optionalString(row.eTag);
  const cTag = optionalString(row.cTag);
  const quickXorHash = optionalString(row.quickXorHash);
  return {
    mirror: String(row.mirror),
    destination: String(row.destination),
    path: String(row.path),
    source: { size: readInt64(row.sourceSize) ?? 0, version: String(row.sourceVersion) },
    driveId: String(row.driveId),
    itemId: String(row.itemId),
    ...(eTag ? { eTag } : {}),
    ...(cTag ? { cTag } : {}),
    ...(quickXorHash ? { quickXorHash } : {}),
    size: readInt64(row.size) ?? 0,
    uploadedAt: readInt64(row.uploadedAt) ?? 0,
  };
}

function pendingFromRow(row: Row): PendingMirrorJob {
  return {
    jobId: String(row.jobId),
    runId: String(row.runId),
    mirror: String(row.mirror),
    destination: String(row.destination),
    destinationLabel: String(row.destinationLabel),
    path: String(row.path),
    source: { size: readInt64(row.sourceSize) ?? 0, version: String(row.sourceVersion) },
    createdAt: readInt64(row.createdAt) ?? 0,
  };
}

function optionalString(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

async function ignore404(action: () => Promise<unknown>): Promise<void> {
  try {
    await action();
  } catch (err: unknown) {
    if (httpStatusOf(err) !== 404) throw err;
  }
}
