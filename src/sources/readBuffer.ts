/**
 * The buffer a range read fills: the caller's reused fragment buffer when it is large enough (memory stays at one
 * chunk per active upload, docs/design.md invariant 4), else a new one of exactly `length` bytes.
 */
export function readBuffer(into: Uint8Array | undefined, length: number): Buffer {
  return into && into.byteLength >= length
    ? Buffer.from(into.buffer, into.byteOffset, length)
    : Buffer.allocUnsafe(length);
}
