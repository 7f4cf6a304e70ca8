/**
 * Fragment sizing rules (docs/graph-protocol.md "Upload sessions"): every fragment but the last is a multiple of 320 KiB
 * (327,680 bytes) and each request stays under 60 MiB; 10 MiB (32 x 320 KiB) is the recommended default.
 * Simple upload is used up to a threshold and always for 0-byte files (a session cannot express an empty range).
 */
import type { ByteRange } from "../shared/ranges.js";
import { formatBytes } from "../shared/units.js";

export const FRAGMENT_QUANTUM = 327_680;
export const MAX_FRAGMENT_BYTES = 60 * 1024 * 1024;
export const DEFAULT_CHUNK_SIZE = 10 * 1024 * 1024;
export const DEFAULT_SIMPLE_UPLOAD_MAX = 4 * 1024 * 1024;
/**
 * The chunk size a caller passes when none was set (no CHUNK_SIZE, no --chunk-size): `newJob` starts such a job
 * at {@link DEFAULT_CHUNK_SIZE} and the engine sizes its fragments to the link (chunkSizing.ts, docs/upload.md
 * "Chunk size"). Never stored in a job: a job row always holds the size in use.
 */
export const AUTO_CHUNK_SIZE = 0;

/** Why a chunk size is not acceptable, or undefined when it is. */
export function chunkSizeProblem(bytes: number): string | undefined {
  if (!Number.isSafeInteger(bytes) || bytes <= 0) return "must be a positive whole number of bytes";
  if (bytes % FRAGMENT_QUANTUM !== 0) {
    return `must be a multiple of 320 KiB (${FRAGMENT_QUANTUM} bytes), e.g. 320KiB, 5MiB, 10MiB; got ${formatBytes(bytes)}`;
  }
  if (bytes >= MAX_FRAGMENT_BYTES) return `must be under 60 MiB (${MAX_FRAGMENT_BYTES} bytes)`;
  return undefined;
}

export type UploadMethod = "simple" | "session";

export function uploadMethod(size: number, simpleUploadMax: number): UploadMethod {
  return size === 0 || size <= simpleUploadMax ? "simple" : "session";
}

export interface Fragment {
  /** First byte, inclusive. */
  readonly start: number;
  /** Number of bytes; `start + length - 1` is the last byte. */
  readonly length: number;
  readonly total: number;
}

/**
 * The next fragment to send: it starts where the server's first missing range starts, is at most one chunk
 * long, and never runs past that missing range (so it cannot overlap bytes the server already holds).
 */
export function nextFragment(missing: ByteRange, total: number, chunkSize: number): Fragment {
  const end = Math.min(missing.end, total - 1);
  const length = Math.min(chunkSize, end - missing.start + 1);
  return { start: missing.start, length, total };
}

/** The `Content-Range` header value for a fragment: `bytes a-b/total`. */
export function contentRange(fragment: Fragment): string {
  return `bytes ${fragment.start}-${fragment.start + fragment.length - 1}/${fragment.total}`;
}
