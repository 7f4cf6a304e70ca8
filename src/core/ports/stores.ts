/**
 * Ports for durable state: the job table, the wake-up queue and the per-drive throttle state.
 * Azure adapters live in src/store (Table Storage, Queue Storage) with in-memory twins; one contract test suite
 * runs against both (the Azure ones against Azurite).
 */
import type { SupersedingJob, UploadJob } from "../job/job.js";

/** A job as stored, with the concurrency token and the lease that make "one worker per job" hold. */
export interface StoredJob {
  readonly job: UploadJob;
  /** The row's ETag: every write is conditional on it (optimistic concurrency, docs/platform.md Table Storage). */
  readonly etag: string;
  /** Who holds the lease, and until when (ms since epoch). A lease past `leaseUntil` is free. */
  readonly leaseOwner?: string;
  readonly leaseUntil?: number;
  /**
   * Incremented each time a continuation is scheduled. A wake message carries the value it was sent for; a
   * message whose `wakeSeq` is not the row's current one is stale and is dropped without Graph I/O.
   */
  readonly wakeSeq: number;
  /**
   * Set by a cancellation that found the job leased by a live worker: the canceller may not do Graph I/O then
   * (docs/design.md invariant 2), so it only raises this flag; the lease holder keeps it when writing its result and
   * the next wake cancels the job (docs/pipeline.md "Cancellation").
   */
  readonly cancelRequested?: boolean;
  /**
   * Set with `cancelRequested` when a newer request for the same destination item took it over
   * (src/core/pipeline/destinationClaim.ts): the cancelled job ends `superseded`, naming that request.
   */
  readonly supersededBy?: SupersedingJob;
  /**
   * Set with `cancelRequested` by DELETE /api/uploads/{id} under API_AUTH=entra: who asked (`oid:…`/`appid:…`,
   * never a token). The worker copies it onto the job when the job ends cancelled.
   */
  readonly cancelledBy?: string;
}

/** Thrown by conditional writes when someone else wrote the row first (HTTP 412 from Table Storage). */
export class ConcurrencyError extends Error {
  constructor(readonly jobId: string) {
    super(`job ${jobId} was changed by another worker`);
    this.name = "ConcurrencyError";
  }
}

export interface JobStore {
  /** Creates all jobs of one request, all or nothing. */
  createJobs(jobs: readonly UploadJob[]): Promise<void>;
  /**
   * `requestId`, when known (wake messages carry it), lets the Table adapter do a point read: jobs are
   * partitioned by request so that one request's jobs are created in one transaction.
   */
  get(jobId: string, requestId?: string): Promise<StoredJob | undefined>;
  /**
   * Writes `next` if the row's ETag is still `etag`; returns the new stored form. Throws ConcurrencyError on
   * a lost race. Lease fields and wakeSeq are written as given (undefined lease = released).
   */
  replace(next: Omit<StoredJob, "etag">, etag: string): Promise<StoredJob>;
  listByRequest(requestId: string): Promise<StoredJob[]>;
  /** Jobs not in a terminal status whose nextWakeAt is before `now` and whose lease is free: for the sweeper. */
  listOverdue(now: number, limit: number): Promise<StoredJob[]>;
}

/** The message on the wake-up queue: a job id and the wakeSeq it was sent for. Never the upload URL. */
export interface WakeMessage {
  readonly jobId: string;
  readonly wakeSeq: number;
  /** The job's request: its table partition. Optional for messages from older senders. */
  readonly requestId?: string;
}

export interface WakeQueue {
  /** Sends a wake message, visible after `delayMs` (0 = now). Queue Storage caps the delay at 7 days. */
  send(message: WakeMessage, delayMs: number): Promise<void>;
}

/** One throttling state per drive, shared by every job and invocation (docs/design.md "Habits"). */
export interface ThrottleStore {
  /** Until when (ms since epoch) writes to this drive should wait; 0 when not throttled. */
  blockedUntil(driveId: string): Promise<number>;
  /** Extends the block to `until` (never shortens it). */
  block(driveId: string, until: number): Promise<void>;
}

/** The job a destination item belongs to (issue 16: one active job per destination). */
export interface DestinationHolder {
  readonly jobId: string;
  readonly requestId: string;
  /** The job's creation time: the newer of two jobs for one item wins. */
  readonly createdAt: number;
}

export interface DestinationEntry {
  readonly holder: DestinationHolder;
  readonly etag: string;
}

/**
 * One row per destination item (drive or destination address, plus path, case-insensitive), naming the job
 * that owns it. Writes are conditional: `put` without an ETag creates the row, with one replaces it; either
 * throws ConcurrencyError when someone else wrote first.
 */
export interface DestinationIndex {
  get(key: string): Promise<DestinationEntry | undefined>;
  put(key: string, holder: DestinationHolder, etag?: string): Promise<void>;
}
