/**
 * HistoryStore on Azure Table Storage: finished jobs in one table, mirror runs in another, both partitioned by
 * mirror. Row keys start with an inverted timestamp so a partition reads newest first; the rest of the key is the
 * job id (or run id), so recording the same job end twice writes the same row (idempotent under duplicates).
 */
import type { TableClient, TableEntityResult } from "@azure/data-tables";
import {
  HISTORY_OUTCOMES,
  type HistoryOutcome,
  type HistoryQuery,
  type HistoryRecord,
  type HistoryStore,
  newestRecordsFirst,
  newestRunsFirst,
  RUN_RESULTS,
  type RunQuery,
  type RunRecord,
} from "../core/ports/mirror.js";
import { int64, int64Literal, readInt64 } from "./int64.js";
import { odataString, tableKey } from "./tableKeys.js";

type Row = TableEntityResult<Record<string, unknown>>;

const MAX_TIME = 9_999_999_999_999;
/** A string property holds at most 64 KiB (docs/platform.md); messages are kept well below. */
const MAX_TEXT = 8_000;

export class TableHistoryStore implements HistoryStore {
  constructor(
    private readonly recordTable: TableClient,
    private readonly runTable: TableClient,
    private readonly deadlineMs = 30_000,
  ) {}

  async append(record: HistoryRecord): Promise<void> {
    await this.recordTable.upsertEntity(
      {
        partitionKey: tableKey(record.mirror),
        rowKey: `${inverted(record.finishedAt)}~${tableKey(record.key)}`,
        mirror: record.mirror,
        runId: record.runId,
        key: record.key,
        path: record.path,
        destination: record.destination,
        bytes: int64(record.bytes),
        durationMs: int64(record.durationMs),
        outcome: record.outcome,
        ...(record.errorCode ? { errorCode: record.errorCode } : {}),
        ...(record.errorMessage ? { errorMessage: record.errorMessage.slice(0, MAX_TEXT) } : {}),
        ...(record.requestId ? { requestId: record.requestId } : {}),
        ...(record.requestedBy ? { requestedBy: record.requestedBy } : {}),
        finishedAt: int64(record.finishedAt),
      },
      "Replace",
      this.options(),
    );
  }

  async recordRun(run: RunRecord): Promise<void> {
    await this.runTable.upsertEntity(
      {
        partitionKey: tableKey(run.mirror),
        rowKey: `${inverted(run.startedAt)}~${tableKey(run.runId)}`,
        mirror: run.mirror,
        runId: run.runId,
        startedAt: int64(run.startedAt),
        finishedAt: int64(run.finishedAt),
        result: run.result,
        listed: run.listed,
        unchanged: run.unchanged,
        jobsCreated: run.jobsCreated,
        inProgress: run.inProgress,
        conflicts: run.conflicts,
        deletions: run.deletions,
        ...(run.sharesGranted !== undefined ? { sharesGranted: run.sharesGranted } : {}),
        ...(run.sharesExisting !== undefined ? { sharesExisting: run.sharesExisting } : {}),
        errors: JSON.stringify(run.errors.map((e) => e.slice(0, 1000)).slice(0, 20)),
      },
      "Replace",
      this.options(),
    );
  }

  async recentRuns(options: RunQuery): Promise<RunRecord[]> {
    const filter = options.mirror ? `PartitionKey eq ${odataString(tableKey(options.mirror))}` : undefined;
    // Within one partition rows come newest first; across partitions they are merged here.
    const rows = await this.query(this.runTable, filter, options.mirror ? options.limit : undefined);
    return newestRunsFirst(rows.map(runFromRow), options.limit);
  }

  async records(options: HistoryQuery): Promise<HistoryRecord[]> {
    const clauses: string[] = [];
    if (options.mirror) clauses.push(`PartitionKey eq ${odataString(tableKey(options.mirror))}`);
    if (options.runId) clauses.push(`runId eq ${odataString(options.runId)}`);
    if (options.since !== undefined) clauses.push(`finishedAt ge ${int64Literal(options.since)}`);
    const filter = clauses.length > 0 ? clauses.join(" and ") : undefined;
    const rows = await this.query(this.recordTable, filter, options.mirror ? options.limit : undefined);
    return newestRecordsFirst(rows.map(recordFromRow), options.limit);
  }

  private async query(table: TableClient, filter: string | undefined, limit?: number): Promise<Row[]> {
    const rows: Row[] = [];
    const pages = table
      .listEntities<Record<string, unknown>>({
        ...(filter ? { queryOptions: { filter } } : {}),
        ...this.options(),
      })
      .byPage({ maxPageSize: Math.min(1000, limit ?? 1000) });
    for await (const page of pages) {
      rows.push(...page);
      if (limit !== undefined && rows.length >= limit) break;
    }
    return rows;
  }

  private options(): { abortSignal: AbortSignal } {
    return { abortSignal: AbortSignal.timeout(this.deadlineMs) };
  }
}

function inverted(time: number): string {
  return String(MAX_TIME - time).padStart(13, "0");
}

function recordFromRow(row: Row): HistoryRecord {
  const outcome = HISTORY_OUTCOMES.find((o) => o === row.outcome) ?? ("failed" satisfies HistoryOutcome);
  const errorCode = optionalString(row.errorCode);
  const errorMessage = optionalString(row.errorMessage);
  const requestId = optionalString(row.requestId);
  const requestedBy = optionalString(row.requestedBy);
  return {
    mirror: String(row.mirror),
    runId: String(row.runId),
    key: String(row.key),
    path: String(row.path),
    destination: String(row.destination),
    bytes: readInt64(row.bytes) ?? 0,
    durationMs: readInt64(row.durationMs) ?? 0,
    outcome,
    ...(errorCode ? { errorCode } : {}),
    ...(errorMessage ? { errorMessage } : {}),
    ...(requestId ? { requestId } : {}),
    ...(requestedBy ? { requestedBy } : {}),
    finishedAt: readInt64(row.finishedAt) ?? 0,
  };
}

function runFromRow(row: Row): RunRecord {
  return {
    mirror: String(row.mirror),
    runId: String(row.runId),
    startedAt: readInt64(row.startedAt) ?? 0,
    finishedAt: readInt64(row.finishedAt) ?? 0,
    result: RUN_RESULTS.find((r) => r === row.result) ?? "failed",
    listed: Number(row.listed ?? 0),
    unchanged: Number(row.unchanged ?? 0),
    jobsCreated: Number(row.jobsCreated ?? 0),
    inProgress: Number(row.inProgress ?? 0),
    conflicts: Number(row.conflicts ?? 0),
    deletions: Number(row.deletions ?? 0),
    ...(row.sharesGranted !== undefined ? { sharesGranted: Number(row.sharesGranted) } : {}),
    ...(row.sharesExisting !== undefined ? { sharesExisting: Number(row.sharesExisting) } : {}),
    errors: parseErrors(row.errors),
  };
}

function parseErrors(raw: unknown): string[] {
  if (typeof raw !== "string") return [];
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed.map(String) : [];
  } catch {
    return [];
  }
}

function optionalString(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}
