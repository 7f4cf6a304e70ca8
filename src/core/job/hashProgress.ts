/**
 * Keeps `job.hash` in step with the bytes the server confirmed. The hash covers [0, hash.length); when the
 * server confirms up to `upTo`, the missing bytes are normally the fragment just sent (still in memory); after
 * a resync they are read back from the source, one chunk at a time, never the whole file.
 */
import type { ByteSource, SourceFingerprint } from "../ports/common.js";
import { QuickXorHash, type QuickXorState } from "../shared/quickXorHash.js";

export interface InMemoryBytes {
  readonly start: number;
  readonly bytes: Uint8Array;
}

export async function advanceHash(
  state: QuickXorState,
  upTo: number,
  source: ByteSource,
  fingerprint: SourceFingerprint,
  chunkSize: number,
  inMemory?: InMemoryBytes,
  signal?: AbortSignal,
): Promise<QuickXorState> {
  if (upTo <= state.length) return state;
  const hash = new QuickXorHash(state);
  let at = state.length;
  while (at < upTo) {
    if (inMemory && at >= inMemory.start && at < inMemory.start + inMemory.bytes.length) {
      const from = at - inMemory.start;
      const to = Math.min(inMemory.bytes.length, upTo - inMemory.start);
      hash.update(inMemory.bytes.subarray(from, to));
      at = inMemory.start + to;
      continue;
    }
    const length = Math.min(chunkSize, upTo - at);
    hash.update(await source.read(at, length, fingerprint, signal));
    at += length;
  }
  return hash.state();
}

export const EMPTY_HASH: QuickXorState = new QuickXorHash().state();
