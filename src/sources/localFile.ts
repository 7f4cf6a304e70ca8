/**
 * A local file read one chunk at a time with positional reads (never the whole file: docs/design.md invariant 4).
 * Fingerprint = size + mtimeMs, checked on the same open handle before every read, so a file rewritten between
 * chunks is noticed (docs/design.md invariant 1).
 */
import { open } from "node:fs/promises";
import { type ByteSource, SourceChangedError, type SourceFingerprint } from "../core/ports/common.js";
import { readBuffer } from "./readBuffer.js";

export class LocalFileSource implements ByteSource {
  readonly description: string;

  constructor(private readonly path: string) {
    this.description = path;
  }

  async fingerprint(): Promise<SourceFingerprint> {
    const handle = await open(this.path, "r");
    try {
      return fingerprintOf(await handle.stat());
    } finally {
      await handle.close();
    }
  }

  async read(
    offset: number,
    length: number,
    expected: SourceFingerprint,
    _signal?: AbortSignal,
    into?: Uint8Array,
  ): Promise<Uint8Array> {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(this.path, "r");
    } catch (err: unknown) {
      if (isNotFound(err)) throw new SourceChangedError(this.description, expected, undefined);
      throw err;
    }
    try {
      const actual = fingerprintOf(await handle.stat());
      if (actual.size !== expected.size || actual.version !== expected.version) {
        throw new SourceChangedError(this.description, expected, actual);
      }
      const buffer = readBuffer(into, length);
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await handle.read(buffer, filled, length - filled, offset + filled);
        if (bytesRead === 0) throw new SourceChangedError(this.description, expected, undefined);
        filled += bytesRead;
      }
      return buffer;
    } finally {
      await handle.close();
    }
  }
}

function fingerprintOf(stat: { size: number; mtimeMs: number }): SourceFingerprint {
  return { size: stat.size, version: String(stat.mtimeMs) };
}

function isNotFound(err: unknown): boolean {
  return err instanceof Error && "code" in err && err.code === "ENOENT";
}
