/**
 * QuickXorHash, the one content hash Microsoft Graph promises on every drive type (`file.hashes.quickXorHash`).
 *
 * Algorithm (docs/graph-protocol.md "Integrity"; Microsoft's reference is a 160-bit little-endian bit vector): input
 * byte number i is XORed in at bit position (11 * i) mod 160, wrapping; at the end the total length as a
 * little-endian uint64 is XORed into bytes 12..19.
 *
 * Because 11 * 160 ≡ 0 (mod 160), a byte's shift depends only on i mod 160. So we first XOR-fold the input into
 * 160 "phase" bytes (4 bytes at a time where the buffer is aligned) and only then shift those 160 bytes into the
 * vector: a few operations per input word instead of a shift per byte.
 *
 * The state needed to continue later is the 20-byte vector plus the length so far: {@link QuickXorState}, which
 * is small enough to live in a job's table row.
 */

const WIDTH_BITS = 160;
const WIDTH_BYTES = 20;
const SHIFT = 11;

/** Serialisable hash state: `vector` is the 20-byte bit vector in base64, `length` the bytes hashed so far. */
export interface QuickXorState {
  readonly vector: string;
  readonly length: number;
}

export class QuickXorHash {
  private readonly vector: Uint8Array;
  private length: number;
  private readonly fold = new Uint8Array(WIDTH_BITS);
  private readonly fold32 = new Uint32Array(this.fold.buffer);

  constructor(state?: QuickXorState) {
    this.vector = new Uint8Array(WIDTH_BYTES);
    this.length = 0;
    if (state) {
      const bytes = Buffer.from(state.vector, "base64");
      if (bytes.length !== WIDTH_BYTES || !Number.isSafeInteger(state.length) || state.length < 0) {
        throw new Error("QuickXorHash state is corrupt: expected a 20-byte vector and a non-negative length");
      }
      this.vector.set(bytes);
      this.length = state.length;
    }
  }

  /** Bytes hashed so far. */
  get bytesHashed(): number {
    return this.length;
  }

  update(data: Uint8Array): this {
    if (data.length === 0) return this;
    this.fold.fill(0);
    let phase = this.length % WIDTH_BITS;
    let i = 0;
    const n = data.length;
    // Bytes until the phase wraps to 0, so whole 160-byte blocks line up with the fold.
    while (i < n && phase !== 0) {
      this.fold[phase] = (this.fold[phase] ?? 0) ^ (data[i] ?? 0);
      i++;
      phase = phase + 1 === WIDTH_BITS ? 0 : phase + 1;
    }
    const blocks = Math.floor((n - i) / WIDTH_BITS);
    if (blocks > 0) {
      const start = data.byteOffset + i;
      if (start % 4 === 0) {
        const words = new Uint32Array(data.buffer, start, blocks * (WIDTH_BITS / 4));
        const f = this.fold32;
        for (let w = 0; w < words.length; w += 40) {
          for (let k = 0; k < 40; k++) f[k] = (f[k] ?? 0) ^ (words[w + k] ?? 0);
        }
      } else {
        const f = this.fold;
        const end = i + blocks * WIDTH_BITS;
        for (let j = i; j < end; j += WIDTH_BITS) {
          for (let k = 0; k < WIDTH_BITS; k++) f[k] = (f[k] ?? 0) ^ (data[j + k] ?? 0);
        }
      }
      i += blocks * WIDTH_BITS;
    }
    for (; i < n; i++) {
      this.fold[phase] = (this.fold[phase] ?? 0) ^ (data[i] ?? 0);
      phase = phase + 1 === WIDTH_BITS ? 0 : phase + 1;
    }
    for (let p = 0; p < WIDTH_BITS; p++) {
      const b = this.fold[p] ?? 0;
      if (b !== 0) this.xorByteAt(b, (SHIFT * p) % WIDTH_BITS);
    }
    this.length += n;
    return this;
  }

  /** The hash as Graph reports it: base64 of 20 bytes. Does not change the state. */
  digest(): string {
    const out = Uint8Array.from(this.vector);
    let len = BigInt(this.length);
    for (let k = 0; k < 8; k++) {
      const idx = WIDTH_BYTES - 8 + k;
      out[idx] = (out[idx] ?? 0) ^ Number(len & 0xffn);
      len >>= 8n;
    }
    return Buffer.from(out).toString("base64");
  }

  state(): QuickXorState {
    return { vector: Buffer.from(this.vector).toString("base64"), length: this.length };
  }

  private xorByteAt(value: number, bitPosition: number): void {
    const index = bitPosition >> 3;
    const offset = bitPosition & 7;
    this.vector[index] = (this.vector[index] ?? 0) ^ ((value << offset) & 0xff);
    if (offset !== 0) {
      const next = (index + 1) % WIDTH_BYTES;
      this.vector[next] = (this.vector[next] ?? 0) ^ (value >> (8 - offset));
    }
  }
}

/** Convenience for whole buffers (tests, small files). */
export function quickXorHashOf(data: Uint8Array): string {
  return new QuickXorHash().update(data).digest();
}
