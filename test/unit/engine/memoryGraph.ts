/**
 * An in-memory twin of the GraphPort for step-machine unit tests: a tiny drive that follows docs/graph-protocol.md's session
 * protocol (in-order fragments, 416 on overlap/gap, 202 with nextExpectedRanges, 201 with the driveItem) plus a
 * script of faults. Integration tests use the real client against the emulator instead.
 */

import type { ConflictBehavior, Destination, ResolvedTarget } from "../../../src/core/job/job.js";
import type { ByteSource, Clock, SourceFingerprint } from "../../../src/core/ports/common.js";
import { SourceChangedError } from "../../../src/core/ports/common.js";
import type {
  DriveItem,
  FragmentOutcome,
  GraphPort,
  ResolvedDrive,
  SessionInfo,
  SessionStatus,
} from "../../../src/core/ports/graph.js";
import { GraphFailure } from "../../../src/core/ports/graphFailure.js";
import { quickXorHashOf } from "../../../src/core/shared/quickXorHash.js";

export type Op =
  | "resolve"
  | "simple"
  | "create"
  | "fragment"
  | "status"
  | "cancel"
  | "getItem"
  | "commit"
  | "folders";

export interface Fault {
  readonly op: Op;
  /** 1-based count of calls of `op` this fault applies to (default: the next call). */
  readonly nth?: number;
  /** Throw this (after the call's effect when `landed`). */
  readonly failure: GraphFailure;
  /** The request reached the server and took effect, but the answer was lost. */
  readonly landed?: boolean;
  /** Keep firing on every later call too. */
  readonly sticky?: boolean;
}

interface Session {
  readonly target: ResolvedTarget;
  received: Buffer;
  total: number | undefined;
  expiresAt: number;
  /** Every byte is in but the commit failed: status answers [], fragments 416, sourceUrl commits it. */
  uncommitted?: boolean;
}

export const SECRET_QUERY = "tempauth=SECRET-TOKEN-123";

export function httpFailure(
  status: number,
  extra: Partial<ConstructorParameters<typeof GraphFailure>[0]> = {},
) {
  return new GraphFailure({ kind: "http", status, message: `HTTP ${status}`, ...extra });
}

export class MemoryGraph implements GraphPort {
  readonly items = new Map<string, { bytes: Buffer; id: string; modifiedAt?: number }>();
  readonly sessions = new Map<string, Session>();
  readonly calls: Op[] = [];
  readonly faults: Fault[] = [];
  bytesReceived = 0;
  /** Office-style rewrite: stored bytes differ from what was sent. */
  modifyStored: ((path: string, bytes: Buffer) => Buffer) | undefined;
  /** Answer for resolveDrive. */
  resolved: ResolvedDrive = { driveId: "resolved-drive", rootPath: "/sites/Ops/Shared Documents" };
  /** Field behaviour (docs/graph-protocol.md): a second session for a file with a live one answers 409. */
  oneSessionPerFile = true;
  /** The next final fragment stores every byte, then fails its commit with this status (session kept). */
  failNextCommit: number | undefined;
  /** The service leaves quickXorHash out of item JSON for this many reads after each store. */
  hashHiddenReads = 0;
  private hashHiddenLeft = 0;
  /** Timeouts the engine asked for, per fragment call. */
  readonly fragmentTimeouts: (number | undefined)[] = [];
  /** The first byte of every fragment sent, in order. */
  readonly fragmentStarts: number[] = [];
  private counter = 0;

  constructor(private readonly clock: Clock) {}

  count(op: Op): number {
    return this.calls.filter((c) => c === op).length;
  }

  stored(driveId: string, path: string): Buffer | undefined {
    return this.items.get(`${driveId}:${path.toLowerCase()}`)?.bytes;
  }

  async resolveDrive(_destination: Destination): Promise<ResolvedDrive> {
    this.before("resolve");
    return this.resolved;
  }

  async simpleUpload(
    target: ResolvedTarget,
    bytes: Uint8Array,
    conflict: ConflictBehavior,
  ): Promise<DriveItem> {
    const fault = this.before("simple");
    const item = this.store(target, Buffer.from(bytes), conflict);
    return this.after(fault, item);
  }

  async createUploadSession(target: ResolvedTarget): Promise<SessionInfo> {
    const fault = this.before("create");
    const key = `${target.driveId}:${target.path.toLowerCase()}`;
    const live = [...this.sessions.values()].some(
      (s) => `${s.target.driveId}:${s.target.path.toLowerCase()}` === key && s.expiresAt > this.clock.now(),
    );
    if (this.oneSessionPerFile && live) throw httpFailure(409, { codes: ["nameAlreadyExists"] });
    const uploadUrl = `https://upload.example/session/${++this.counter}?${SECRET_QUERY}`;
    const expiresAt = this.clock.now() + 15 * 60_000;
    this.sessions.set(uploadUrl, { target, received: Buffer.alloc(0), total: undefined, expiresAt });
    return this.after(fault, { uploadUrl, expiresAt, nextExpectedRanges: ["0-"] });
  }

  async uploadFragment(
    uploadUrl: string,
    fragment: { start: number; bytes: Uint8Array; total: number },
    _signal?: AbortSignal,
    options?: { readonly timeoutMs?: number },
  ): Promise<FragmentOutcome> {
    this.fragmentTimeouts.push(options?.timeoutMs);
    this.fragmentStarts.push(fragment.start);
    const fault = this.before("fragment", uploadUrl);
    const session = this.sessionOr404(uploadUrl);
    session.total ??= fragment.total;
    if (session.uncommitted || fragment.start !== session.received.length) {
      throw httpFailure(416, { codes: ["fragmentOverlap", "invalidRange"] });
    }
    this.bytesReceived += fragment.bytes.length;
    session.received = Buffer.concat([session.received, Buffer.from(fragment.bytes)]);
    session.expiresAt = this.clock.now() + 15 * 60_000;
    if (session.received.length === session.total) {
      if (this.failNextCommit !== undefined) {
        const status = this.failNextCommit;
        this.failNextCommit = undefined;
        session.uncommitted = true;
        throw httpFailure(status, { codes: ["generalException"] });
      }
      this.sessions.delete(uploadUrl);
      const item = this.store(session.target, session.received, "replace");
      return this.after(fault, { kind: "completed", item });
    }
    return this.after(fault, {
      kind: "accepted",
      nextExpectedRanges: [`${session.received.length}-`],
      expiresAt: session.expiresAt,
    });
  }

  async getUploadStatus(uploadUrl: string): Promise<SessionStatus> {
    const fault = this.before("status", uploadUrl);
    const session = this.sessionOr404(uploadUrl);
    return this.after(fault, {
      nextExpectedRanges: session.uncommitted ? [] : [`${session.received.length}-`],
      expiresAt: session.expiresAt,
    });
  }

  async commitUploadSession(
    target: ResolvedTarget,
    uploadUrl: string,
    conflict: ConflictBehavior,
  ): Promise<DriveItem> {
    const fault = this.before("commit");
    const session = this.sessionOr404(uploadUrl);
    if (!session.uncommitted) throw httpFailure(400, { codes: ["invalidRequest"] });
    this.sessions.delete(uploadUrl);
    return this.after(fault, this.store(target, session.received, conflict));
  }

  async ensureParentFolders(): Promise<number> {
    const fault = this.before("folders");
    return this.after(fault, 1);
  }

  async cancelUploadSession(uploadUrl: string): Promise<void> {
    const fault = this.before("cancel", uploadUrl);
    this.sessions.delete(uploadUrl);
    return this.after(fault, undefined);
  }

  async getItem(target: ResolvedTarget): Promise<DriveItem | undefined> {
    const fault = this.before("getItem");
    const found = this.items.get(`${target.driveId}:${target.path.toLowerCase()}`);
    return this.after(fault, found ? this.itemOf(target, found) : undefined);
  }

  private store(target: ResolvedTarget, bytes: Buffer, conflict: ConflictBehavior): DriveItem {
    const key = `${target.driveId}:${target.path.toLowerCase()}`;
    if (conflict === "fail" && this.items.has(key)) throw httpFailure(409, { codes: ["nameAlreadyExists"] });
    const stored = this.modifyStored ? this.modifyStored(target.path, bytes) : bytes;
    const entry = { bytes: stored, id: `item-${++this.counter}`, modifiedAt: this.clock.now() };
    this.items.set(key, entry);
    this.hashHiddenLeft = this.hashHiddenReads;
    return this.itemOf(target, entry);
  }

  private itemOf(
    target: ResolvedTarget,
    entry: { bytes: Buffer; id: string; modifiedAt?: number },
  ): DriveItem {
    const hidden = this.hashHiddenLeft > 0;
    if (hidden) this.hashHiddenLeft--;
    return {
      id: entry.id,
      name: target.path.slice(target.path.lastIndexOf("/") + 1),
      size: entry.bytes.length,
      ...(hidden ? {} : { quickXorHash: quickXorHashOf(entry.bytes) }),
      ...(entry.modifiedAt !== undefined ? { modifiedAt: entry.modifiedAt } : {}),
    };
  }

  private sessionOr404(uploadUrl: string): Session {
    const session = this.sessions.get(uploadUrl);
    if (!session) throw httpFailure(404, { codes: ["itemNotFound"] });
    return session;
  }

  /** Records the call; throws a fault that fires before the effect, returns one that fires after it. */
  private before(op: Op, url?: string): Fault | undefined {
    this.calls.push(op);
    const n = this.count(op);
    const index = this.faults.findIndex(
      (f) => f.op === op && (f.nth === undefined || f.nth === n || (f.sticky && n >= f.nth)),
    );
    const fault = index >= 0 ? this.faults[index] : undefined;
    if (!fault) return undefined;
    if (!fault.sticky) this.faults.splice(index, 1);
    if (fault.landed) return fault;
    // A careless server message that echoes the URL: the engine must strip it (docs/design.md invariant 5).
    throw url ? withUrl(fault.failure, url) : fault.failure;
  }

  private after<T>(fault: Fault | undefined, value: T): T {
    if (fault) throw fault.failure;
    return value;
  }
}

function withUrl(failure: GraphFailure, url: string): GraphFailure {
  return new GraphFailure({
    kind: failure.kind,
    ...(failure.status !== undefined ? { status: failure.status } : {}),
    codes: failure.codes,
    ...(failure.retryAfter !== undefined ? { retryAfter: failure.retryAfter } : {}),
    ...(failure.rateLimitReset !== undefined ? { rateLimitReset: failure.rateLimitReset } : {}),
    message: `${failure.message} at ${url}`,
  });
}

export class ManualClock implements Clock {
  constructor(public time = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
}

/** A byte source held in memory whose content can be swapped mid-upload. */
export class MemorySource implements ByteSource {
  readonly description = "memory:test";
  reads = 0;
  private version = 1;

  constructor(public data: Buffer) {}

  replace(data: Buffer): void {
    this.data = data;
    this.version++;
  }

  async fingerprint(): Promise<SourceFingerprint> {
    return { size: this.data.length, version: String(this.version) };
  }

  async read(
    offset: number,
    length: number,
    expected: SourceFingerprint,
    _signal?: AbortSignal,
    _into?: Uint8Array,
  ): Promise<Uint8Array> {
    this.reads++;
    const actual = await this.fingerprint();
    if (actual.version !== expected.version || actual.size !== expected.size) {
      throw new SourceChangedError(this.description, expected, actual);
    }
    return this.data.subarray(offset, offset + length);
  }
}
