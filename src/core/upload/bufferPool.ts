/**
 * Reusable chunk buffers. Allocating a fresh 10 MiB buffer per fragment leaves tens of MiB of garbage for the
 * collector at any time (peak RSS far above "3 x chunk + 100 MiB", docs/design.md performance targets); a step borrows
 * one buffer for the fragment it sends and gives it back when the step ends.
 */
export class ChunkBufferPool {
  private readonly free: Uint8Array[] = [];

  constructor(private readonly maxFree = 8) {}

  /** A buffer of at least `size` bytes (its contents are garbage). */
  acquire(size: number): Uint8Array {
    const index = this.free.findIndex((b) => b.byteLength >= size);
    if (index >= 0) {
      const [buffer] = this.free.splice(index, 1);
      if (buffer) return buffer;
    }
    return new Uint8Array(size);
  }

  /** Gives a buffer back; only when nothing (e.g. an unfinished request body) can still be reading it. */
  release(buffer: Uint8Array): void {
    if (this.free.length < this.maxFree) this.free.push(buffer);
  }
}
