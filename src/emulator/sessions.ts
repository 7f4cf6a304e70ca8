/**
 * Upload sessions (docs/graph-protocol.md "Upload sessions"). A session owns a blob that fragments are written into as they
 * arrive, the ranges received so far, and a running QuickXorHash over the contiguous prefix, so the finished
 * item's hash needs no second pass in the usual in-order case.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { ConflictBehavior } from "../core/job/job.js";
import { QuickXorHash } from "../core/shared/quickXorHash.js";
import { type Interval, missingRanges, receivedBytes } from "./byteRanges.js";
import type { ContentBlob } from "./content/contentStore.js";
import type { FileSystemInfo } from "./itemTree.js";

export interface UploadSession {
  readonly id: string;
  /** The `tempauth` query value: the credential inside the upload URL. Never logged or summarised. */
  readonly secret: string;
  readonly driveId: string;
  /** Decoded folder names from the drive root to the parent. */
  readonly folders: readonly string[];
  readonly name: string;
  /** Set when the session was created on `items/{id}/createUploadSession`: replace that item. */
  readonly targetItemId?: string;
  readonly conflictBehavior: ConflictBehavior;
  readonly deferCommit: boolean;
  readonly fileSystemInfo?: FileSystemInfo;
  readonly blob: ContentBlob;
  readonly createdAt: number;
  /** The upload URL's token dies at this instant (absolute lifetime). */
  readonly urlExpiresAt: number;
  /** Sliding `expirationDateTime`. */
  expiresAt: number;
  /** Total size, from the first fragment's Content-Range (or `fileSize` at creation). */
  total: number | undefined;
  ranges: Interval[];
  /** Range of the fragment being received right now, if any. */
  inFlight: Interval | undefined;
  hash: QuickXorHash;
  /** All bytes arrived under deferCommit: waiting for `POST uploadUrl`. */
  awaitingCommit: boolean;
}

export interface SessionSummary {
  readonly id: string;
  readonly driveId: string;
  readonly path: string;
  readonly total: number | undefined;
  readonly receivedBytes: number;
  readonly nextExpectedRanges: string[];
  /** The range of a fragment being received right now (`a-b`), if any. */
  readonly receiving?: string;
  readonly deferCommit: boolean;
  readonly awaitingCommit: boolean;
  readonly createdDateTime: string;
  readonly expirationDateTime: string;
  readonly urlExpirationDateTime: string;
}

export type NewSession = Omit<
  UploadSession,
  "id" | "secret" | "expiresAt" | "urlExpiresAt" | "total" | "ranges" | "inFlight" | "hash" | "awaitingCommit"
> & { readonly declaredSize?: number };

const ABANDONED_AFTER_MS = 24 * 60 * 60_000;

/** Told of every session created, changed (`changed()`) or ended, so durable storage can record it (persist/). */
export interface SessionObserver {
  sessionChanged(session: UploadSession): void;
  sessionEnded(session: UploadSession): void;
}

export class SessionRegistry {
  private readonly sessions = new Map<string, UploadSession>();

  constructor(
    private readonly slidingTtlMs: number,
    private readonly urlLifetimeMs: number,
    private readonly observer?: SessionObserver,
  ) {}

  /** Puts back a session an earlier run stored (its clocks and ranges as they were). */
  restore(session: UploadSession): void {
    this.sessions.set(session.id, session);
  }

  /** Call after changing a session's ranges, total, expiry or commit state. */
  changed(session: UploadSession): void {
    if (this.sessions.has(session.id)) this.observer?.sessionChanged(session);
  }

  /**
   * Frees abandoned sessions, so a long-running emulator does not keep their bytes forever. Only sessions that
   * expired over a day ago go: until then a request still gets the precise 404 or 401 a client must handle.
   */
  async sweep(now: number): Promise<number> {
    const stale = this.all().filter((s) => now >= Math.max(s.expiresAt, s.urlExpiresAt) + ABANDONED_AFTER_MS);
    await Promise.all(stale.map((s) => this.end(s, true)));
    return stale.length;
  }

  create(input: NewSession): UploadSession {
    const { declaredSize, ...rest } = input;
    const session: UploadSession = {
      ...rest,
      id: randomUUID(),
      secret: randomBytes(24).toString("base64url"),
      expiresAt: input.createdAt + this.slidingTtlMs,
      urlExpiresAt: input.createdAt + this.urlLifetimeMs,
      total: declaredSize,
      ranges: [],
      inFlight: undefined,
      hash: new QuickXorHash(),
      awaitingCommit: false,
    };
    this.sessions.set(session.id, session);
    this.observer?.sessionChanged(session);
    return session;
  }

  get(id: string): UploadSession | undefined {
    return this.sessions.get(id);
  }

  /** Forgets a session (completed, cancelled, expired); `disposeBlob` frees its bytes too. */
  async end(session: UploadSession, disposeBlob: boolean): Promise<void> {
    if (this.sessions.delete(session.id)) this.observer?.sessionEnded(session);
    if (disposeBlob) await session.blob.dispose();
  }

  all(): UploadSession[] {
    return [...this.sessions.values()];
  }
}

/** What a committed session's file is made of: its bytes, size, streamed hash and file system times. */
export function sessionContent(session: UploadSession): {
  blob: ContentBlob;
  size: number;
  streamedHash?: string;
  fileSystemInfo?: FileSystemInfo;
} {
  const size = session.total ?? 0;
  return {
    blob: session.blob,
    size,
    // The running hash covers the whole file only when every fragment came in order.
    ...(session.hash.bytesHashed === size ? { streamedHash: session.hash.digest() } : {}),
    ...(session.fileSystemInfo ? { fileSystemInfo: session.fileSystemInfo } : {}),
  };
}

export function summarise(session: UploadSession, style: "open" | "closed"): SessionSummary {
  return {
    id: session.id,
    driveId: session.driveId,
    path: `/${[...session.folders, session.name].join("/")}`,
    total: session.total,
    receivedBytes: receivedBytes(session.ranges),
    nextExpectedRanges: missingRanges(session.ranges, session.total, style),
    ...(session.inFlight ? { receiving: `${session.inFlight[0]}-${session.inFlight[1] - 1}` } : {}),
    deferCommit: session.deferCommit,
    awaitingCommit: session.awaitingCommit,
    createdDateTime: new Date(session.createdAt).toISOString(),
    expirationDateTime: new Date(session.expiresAt).toISOString(),
    urlExpirationDateTime: new Date(session.urlExpiresAt).toISOString(),
  };
}
