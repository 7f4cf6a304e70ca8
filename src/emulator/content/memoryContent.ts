/** In-memory blobs: committed fragments kept as the chunks that arrived (no whole-file copy until read). */
import type { ContentBlob, ContentStore, FragmentWriter } from "./contentStore.js";

interface Segment {
  readonly position: number;
  readonly chunks: Buffer[];
  readonly length: number;
}

class MemoryBlob implements ContentBlob {
  private segments: Segment[] = [];

  constructor(initial?: Buffer) {
    if (initial && initial.length > 0)
      this.segments.push({ position: 0, chunks: [initial], length: initial.length });
  }

  writer(position: number): FragmentWriter {
    let chunks: Buffer[] = [];
    let written = 0;
    return {
      write: async (chunk) => {
        chunks.push(chunk);
        written += chunk.length;
      },
      commit: async (length = written) => {
        const kept: Buffer[] = [];
        let remaining = Math.min(length, written);
        for (const chunk of chunks) {
          if (remaining <= 0) break;
          const piece = chunk.length <= remaining ? chunk : chunk.subarray(0, remaining);
          kept.push(piece);
          remaining -= piece.length;
        }
        const total = kept.reduce((sum, c) => sum + c.length, 0);
        if (total > 0) this.segments.push({ position, chunks: kept, length: total });
        chunks = [];
      },
      abort: async () => {
        chunks = [];
      },
    };
  }

  read(start: number, length: number): Buffer {
    const out = Buffer.alloc(length);
    const end = start + length;
    // Later segments win, as later writes to a file would.
    for (const segment of this.segments) {
      if (segment.position >= end || segment.position + segment.length <= start) continue;
      let position = segment.position;
      for (const chunk of segment.chunks) {
        const chunkEnd = position + chunk.length;
        if (chunkEnd > start && position < end) {
          const from = Math.max(start, position);
          const to = Math.min(end, chunkEnd);
          chunk.copy(out, from - start, from - position, to - position);
        }
        position = chunkEnd;
      }
    }
    return out;
  }

  async seal(): Promise<void> {}

  async dispose(): Promise<void> {
    this.segments = [];
  }
}

export class MemoryContentStore implements ContentStore {
  readonly kind = "memory" as const;

  async create(): Promise<ContentBlob> {
    return new MemoryBlob();
  }

  createFrom(bytes: Buffer): ContentBlob {
    return new MemoryBlob(Buffer.from(bytes));
  }

  async close(): Promise<void> {}
}
