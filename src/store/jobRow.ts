/**
 * The table row of one job: the job as JSON in one string column (the source of truth), plus indexed columns
 * the sweeper and the status API filter on. Keys: PartitionKey = request id (one request's jobs are created in
 * one transaction, and GET /api/uploads/{id} is a partition query), RowKey = job id.
 */
import { isTerminal, type UploadJob } from "../core/job/job.js";
import type { StoredJob } from "../core/ports/stores.js";
import { type Int64Value, int64, readInt64 } from "./int64.js";
import { tableKey } from "./tableKeys.js";

/** A string property holds at most 64 KiB, counted in UTF-16 (Table service limits). */
export const MAX_JOB_JSON_BYTES = 64 * 1024;

// A type alias (not an interface) so it fits the SDK's Record-shaped entity types.
export type JobEntity = {
  readonly partitionKey: string;
  readonly rowKey: string;
  readonly job: string;
  readonly status: string;
  readonly requestId: string;
  readonly driveId: string;
  readonly confirmedOffset: Int64Value;
  readonly size: Int64Value;
  readonly nextWakeAt: Int64Value;
  readonly leaseOwner: string;
  readonly leaseUntil: Int64Value;
  readonly wakeSeq: Int64Value;
  readonly cancelRequested: boolean;
  /** The superseding job as JSON, or empty (src/core/pipeline/destinationClaim.ts). */
  readonly supersededBy: string;
  /** Who asked for the cancellation (`oid:…`/`appid:…`), or empty. */
  readonly cancelledBy: string;
};

export function toEntity(stored: Omit<StoredJob, "etag">): JobEntity {
  const { job } = stored;
  const json = JSON.stringify(job);
  const bytes = Buffer.byteLength(json, "utf16le");
  if (bytes > MAX_JOB_JSON_BYTES)
    throw new Error(
      `job ${job.jobId} is too large to store (${bytes} bytes of JSON, limit ${MAX_JOB_JSON_BYTES})`,
    );
  const driveId = job.target?.driveId ?? (job.destination.type === "drive" ? job.destination.driveId : "");
  return {
    partitionKey: tableKey(job.requestId),
    rowKey: tableKey(job.jobId),
    job: json,
    status: job.status,
    requestId: job.requestId,
    driveId,
    confirmedOffset: int64(job.confirmedOffset),
    size: int64(job.fingerprint?.size ?? -1),
    // Terminal jobs never need waking; active ones without a wake time are due now.
    nextWakeAt: int64(isTerminal(job.status) ? 0 : (job.nextWakeAt ?? job.updatedAt)),
    leaseOwner: stored.leaseOwner ?? "",
    leaseUntil: int64(stored.leaseUntil ?? 0),
    wakeSeq: int64(stored.wakeSeq),
    cancelRequested: stored.cancelRequested === true,
    supersededBy: stored.supersededBy ? JSON.stringify(stored.supersededBy) : "",
    cancelledBy: stored.cancelledBy ?? "",
  };
}

export function fromEntity(entity: Record<string, unknown>): StoredJob {
  const json = entity.job;
  const etag = entity.etag;
  if (typeof json !== "string" || typeof etag !== "string")
    throw new Error("job row is missing its job or etag");
  const job = JSON.parse(json) as UploadJob;
  const leaseOwner =
    typeof entity.leaseOwner === "string" && entity.leaseOwner ? entity.leaseOwner : undefined;
  const leaseUntil = readInt64(entity.leaseUntil) || undefined;
  return {
    job,
    etag,
    wakeSeq: readInt64(entity.wakeSeq) ?? 0,
    ...(leaseOwner ? { leaseOwner } : {}),
    ...(leaseUntil ? { leaseUntil } : {}),
    ...(entity.cancelRequested === true ? { cancelRequested: true } : {}),
    ...supersededByOf(entity.supersededBy),
    ...(typeof entity.cancelledBy === "string" && entity.cancelledBy
      ? { cancelledBy: entity.cancelledBy }
      : {}),
  };
}

function supersededByOf(value: unknown): Pick<StoredJob, "supersededBy"> {
  if (typeof value !== "string" || value === "") return {};
  const parsed = JSON.parse(value) as { requestId?: unknown; jobId?: unknown };
  return typeof parsed.requestId === "string" && typeof parsed.jobId === "string"
    ? { supersededBy: { requestId: parsed.requestId, jobId: parsed.jobId } }
    : {};
}
