/**
 * Where file bytes live: in memory, or in files under the data directory. Bytes are written as they stream in
 * (never a whole file in one buffer) through a {@link FragmentWriter}; a writer's bytes only count once it is
 * committed, so a fragment cut off mid-body leaves nothing the session believes it has.
 */

export interface FragmentWriter {
  write(chunk: Buffer): Promise<void>;
  /** The first `length` written bytes (default all) become part of the blob. */
  commit(length?: number): Promise<void>;
  /** Forget what was written (the session's ranges stay as they were). */
  abort(): Promise<void>;
}

export interface ContentBlob {
  /** The blob's name in durable storage (its file name under `blobs/`); memory blobs have none. */
  readonly storageKey?: string;
  /** Starts writing at `position`. One writer at a time per blob. */
  writer(position: number): FragmentWriter;
  /** Bytes [start, start + length); positions never written read as zero. */
  read(start: number, length: number): Buffer;
  /** Releases open handles once the blob is complete (it stays readable). */
  seal(): Promise<void>;
  /** Frees the storage. */
  dispose(): Promise<void>;
}

export interface ContentStore {
  readonly kind: "memory" | "disk";
  create(): Promise<ContentBlob>;
  /** A complete blob holding `bytes`, written synchronously (the inspection API's putItem). */
  createFrom(bytes: Buffer): ContentBlob;
  close(): Promise<void>;
}

/** Reads a blob in bounded pieces (hashing at completion, downloads, service modification). */
export function* readInPieces(
  blob: ContentBlob,
  length: number,
  pieceBytes = 4 * 1024 * 1024,
): Generator<Buffer> {
  for (let offset = 0; offset < length; offset += pieceBytes) {
    yield blob.read(offset, Math.min(pieceBytes, length - offset));
  }
}
