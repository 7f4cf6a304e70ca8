/**
 * The seams between the pure core and the outside world. The core imports no SDK: adapters implement these
 * (Azure SDKs, fetch, the file system) and every adapter has an in-memory twin for tests (docs/design.md).
 */

/** Milliseconds since the epoch. Injected everywhere so tests never sleep. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/**
 * Supplies bearer tokens for the Graph host. Implementations: static token, @azure/identity credentials,
 * token.json, rclone.conf (src/auth). Tokens are secrets: implementations never log or throw them.
 */
export interface TokenProvider {
  /**
   * A token valid for at least a few minutes. `forceRefresh` is set after the Graph host answered 401 to the
   * current token: the provider must not hand back the same cached token.
   */
  getToken(options?: { forceRefresh?: boolean; signal?: AbortSignal }): Promise<string>;
  /** What the token may do, when it can be known without calling Graph (see src/auth capabilities). */
  describe?(): Promise<TokenDescription>;
}

export type Capability = "full" | "read-only" | "unknown";

export interface TokenDescription {
  readonly source: string;
  readonly capability: Capability;
  readonly scopes: readonly string[];
  readonly expiresAt?: number;
}

/**
 * Identity of one version of a source's bytes. If it changes while a job runs, the bytes we already sent may
 * not match what we would read now (docs/design.md invariant 1).
 */
export interface SourceFingerprint {
  readonly size: number;
  /** mtime in ms for files, ETag for blobs and URLs. */
  readonly version: string;
}

/** A readable, range-addressable source of bytes, read one chunk at a time (never whole). */
export interface ByteSource {
  /** A human-readable, secret-free description (a path, `blob:container/name`, a URL without query). */
  readonly description: string;
  fingerprint(signal?: AbortSignal): Promise<SourceFingerprint>;
  /**
   * Exactly `length` bytes starting at `offset` of the version identified by `expected`. Throws a
   * SourceChangedError when the source no longer matches `expected`. When `into` (at least `length` bytes) is
   * given, implementations may read into it and return a view of it, so callers can reuse one chunk buffer
   * instead of allocating one per read (docs/design.md invariant 4; bench/upload).
   */
  read(
    offset: number,
    length: number,
    expected: SourceFingerprint,
    signal?: AbortSignal,
    into?: Uint8Array,
  ): Promise<Uint8Array>;
}

export class SourceChangedError extends Error {
  constructor(
    readonly description: string,
    readonly expected: SourceFingerprint,
    readonly actual: SourceFingerprint | undefined,
  ) {
    super(`source ${description} changed while it was being uploaded`);
    this.name = "SourceChangedError";
  }
}
