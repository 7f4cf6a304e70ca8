/**
 * The QuickXorHash of a source's current version, read one range at a time through its ByteSource (never the
 * whole file in memory; the same range reads and change detection the uploads use).
 */
import type { ByteSource } from "../core/ports/common.js";
import { QuickXorHash } from "../core/shared/quickXorHash.js";

const READ_SIZE = 4 * 1024 * 1024;

export async function quickXorHashOfSource(source: ByteSource, signal?: AbortSignal): Promise<string> {
  const fingerprint = await source.fingerprint(signal);
  const hash = new QuickXorHash();
  const buffer = new Uint8Array(Math.min(READ_SIZE, Math.max(fingerprint.size, 1)));
  for (let offset = 0; offset < fingerprint.size; offset += READ_SIZE) {
    const length = Math.min(READ_SIZE, fingerprint.size - offset);
    hash.update(await source.read(offset, length, fingerprint, signal, buffer));
  }
  return hash.digest();
}
