/**
 * Keeps the wire busy (docs/upload.md "Overlap"): while one fragment's PUT is on the wire, the step hashes that
 * fragment speculatively and reads the next one. Neither result is trusted on its own: the speculative hash is
 * used only when the server confirms exactly this fragment's end (job.hash still advances only over confirmed
 * bytes, docs/design.md invariant 1), and the read-ahead only through the prefetch cache's checks (prefetch.ts).
 */
import type { UploadJob } from "../job/job.js";
import type { ByteSource, Clock, SourceFingerprint } from "../ports/common.js";
import type { FragmentOutcome } from "../ports/graph.js";
import { QuickXorHash, type QuickXorState } from "../shared/quickXorHash.js";
import type { Fragment } from "./chunkPlan.js";
import { type ChunkSizingLimits, readAheadLength } from "./chunkSizing.js";

/** Bytes read ahead into a pooled buffer (or a fresh one), for the fragment after this one. */
export interface ReadAhead {
  readonly start: number;
  readonly bytes: Uint8Array;
  readonly buffer: Uint8Array | undefined;
}

export interface OverlappedSend {
  /** The PUT's answer, or what it threw. */
  readonly wire:
    | { readonly ok: true; readonly outcome: FragmentOutcome }
    | { readonly ok: false; readonly error: unknown };
  /** Milliseconds from sending to the answer, by the injected clock (chunkSizing.ts). */
  readonly ms: number;
  /** The hash through this fragment's end, valid only if the server confirms exactly that far. */
  readonly hashed: QuickXorState | undefined;
  readonly ahead: ReadAhead | undefined;
}

/** Hash slices this large, yielding in between so the socket keeps being fed while the hash runs. */
const HASH_SLICE = 1024 * 1024;

export async function sendOverlapped(args: {
  readonly send: () => Promise<FragmentOutcome>;
  readonly clock: Clock;
  readonly bytes: Uint8Array;
  /** The hash state at the fragment's first byte, when the job's hash reaches exactly there. */
  readonly hashFrom: QuickXorState | undefined;
  readonly readAhead: (() => Promise<ReadAhead | undefined>) | undefined;
  readonly signal: AbortSignal | undefined;
}): Promise<OverlappedSend> {
  const started = args.clock.now();
  // Handlers attached at once: the PUT may fail while the hash runs, and must not count as unhandled.
  const wire = args.send().then(
    (outcome) => ({ ok: true as const, outcome, at: args.clock.now() }),
    (error: unknown) => ({ ok: false as const, error, at: args.clock.now() }),
  );
  const ahead = args.readAhead ? args.readAhead().catch(() => undefined) : Promise.resolve(undefined);
  const hashed = args.hashFrom ? await hashSliced(args.hashFrom, args.bytes, args.signal) : undefined;
  const answered = await wire;
  // Wait for the read-ahead too: no source read may outlive this step (and its lease, prefetch.ts).
  const read = await ahead;
  const { at, ...result } = answered;
  return { wire: result, ms: at - started, hashed, ahead: read };
}

async function hashSliced(
  from: QuickXorState,
  bytes: Uint8Array,
  signal: AbortSignal | undefined,
): Promise<QuickXorState | undefined> {
  const hash = new QuickXorHash(from);
  for (let at = 0; at < bytes.byteLength; at += HASH_SLICE) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (signal?.aborted) return undefined;
    hash.update(bytes.subarray(at, Math.min(bytes.byteLength, at + HASH_SLICE)));
  }
  return hash.state();
}

/** Reads the fragment after `fragment` into a second buffer, or nothing when there is none to predict. */
export async function readNext(args: {
  readonly job: UploadJob;
  readonly fragment: Fragment;
  readonly fingerprint: SourceFingerprint;
  readonly source: ByteSource;
  readonly pool: { acquire(size: number): Uint8Array; release(buffer: Uint8Array): void } | undefined;
  readonly signal: AbortSignal | undefined;
  readonly limits: ChunkSizingLimits;
}): Promise<ReadAhead | undefined> {
  const { job, fragment, fingerprint, source, pool, signal, limits } = args;
  // After a fragment that stops at a reported missing range, the next offset is the server's to say.
  if (job.missingRangeEnd !== undefined) return undefined;
  const start = fragment.start + fragment.length;
  const length = readAheadLength(job, start, fingerprint.size, limits);
  if (length <= 0) return undefined;
  const buffer = pool?.acquire(length);
  try {
    const bytes = await source.read(start, length, fingerprint, signal, buffer);
    return { start, bytes, buffer };
  } catch {
    // The next step reads again and meets the same error where it is handled (a changed source included).
    if (pool && buffer) pool.release(buffer);
    return undefined;
  }
}
