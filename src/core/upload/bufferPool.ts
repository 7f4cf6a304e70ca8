/**
 * Reusable read buffers, pooled by size class. Allocating a fresh 10 MiB buffer per fragment leaves tens of MiB
 * of garbage for the collector at any time (peak RSS far above "3 x chunk + 100 MiB", docs/design.md performance
 * targets); a step borrows a buffer for the bytes it sends and gives it back when its request has finished.
 *
 * Size classes (powers of two from 64 KiB) let a 200 KiB simple upload borrow 256 KiB, not a chunk, and let
 * chunks that change size (chunkSizing.ts) still find a buffer; pages a read never touches are never resident.
 * The free list is capped by count and by bytes, dropping the oldest, so buffers of a size no longer in use do
 * not stay. The pool also holds the process's read-ahead cache (prefetch.ts), which lends and returns the same
 * buffers: with it, one active upload holds at most two chunk buffers.
 */
import { PrefetchCache } from "./prefetch.js";

const SMALLEST_CLASS = 64 * 1024;
/** Classes from here up hold upload-session chunks (2.5 MiB and more, chunkSizing.ts); below, simple uploads. */
const CHUNK_CLASS = 4 * 1024 * 1024;

export class ChunkBufferPool {
  private readonly free: Uint8Array[] = [];
  /** Fragments read ahead while the one before was on the wire (docs/upload.md "Overlap"). */
  readonly prefetch: PrefetchCache;

  constructor(
    private readonly maxFree = 8,
    private readonly maxFreeBytes = 8 * 16 * 1024 * 1024,
  ) {
    this.prefetch = new PrefetchCache(this);
  }

  /** A buffer of at least `size` bytes, of `size`'s class (its contents are garbage). */
  acquire(size: number): Uint8Array {
    const wanted = sizeClass(size);
    // Its own class first, else the smallest larger free one: a buffer already resident beats a new one.
    let index = this.free.findIndex((b) => b.byteLength === wanted);
    if (index < 0) {
      const larger = this.free.filter((b) => b.byteLength > wanted);
      const smallest = larger.reduce<Uint8Array | undefined>(
        (best, b) => (best && best.byteLength <= b.byteLength ? best : b),
        undefined,
      );
      index = smallest ? this.free.indexOf(smallest) : -1;
    }
    if (index >= 0) {
      const [buffer] = this.free.splice(index, 1);
      if (buffer) return buffer;
    }
    this.dropOutgrown(wanted);
    return new Uint8Array(wanted);
  }

  /**
   * A new chunk-sized buffer means a job's chunks grew (chunkSizing.ts): free chunk buffers of smaller classes
   * would stay resident for nothing (a 256 MiB upload growing 10 -> 20 -> 40 MiB kept 48 MiB of them, docs/upload.md
   * "Memory"). Small-file classes stay: many small uploads reuse them at once.
   */
  private dropOutgrown(wanted: number): void {
    if (wanted < CHUNK_CLASS) return;
    for (let i = this.free.length - 1; i >= 0; i--) {
      const size = this.free[i]?.byteLength ?? 0;
      if (size >= CHUNK_CLASS && size < wanted) this.free.splice(i, 1);
    }
  }

  /** Gives a buffer back; only when nothing (e.g. an unfinished request body) can still be reading it. */
  release(buffer: Uint8Array): void {
    // Views and odd sizes (not from acquire) are not pooled: a later acquire must get exactly its class.
    if (buffer.byteOffset !== 0 || buffer.byteLength !== sizeClass(buffer.byteLength)) return;
    if (this.free.includes(buffer)) return;
    this.free.push(buffer);
    while (this.free.length > this.maxFree || this.freeBytes() > this.maxFreeBytes) this.free.shift();
  }

  /** Bytes held by free buffers (for tests and the memory bound). */
  freeBytes(): number {
    return this.free.reduce((sum, b) => sum + b.byteLength, 0);
  }
}

/** The class a size falls in: the next power of two, at least 64 KiB. */
export function sizeClass(size: number): number {
  let c = SMALLEST_CLASS;
  while (c < size) c *= 2;
  return c;
}
