/**
 * Blobs as files under `<dataDir>/blobs/`. Fragments are written at their offset as each network chunk arrives,
 * so the process never holds more than a socket read of a file (docs/design.md invariant 4, for the emulator).
 *
 * The directory outlives the process (docs/emulator.md "Storage"): the journal (persist/) names each blob by its
 * file name. So committed bytes are fsynced before any record can claim them, and a disposed blob's file is only
 * deleted once the journal has recorded that nothing uses it any more ({@link DiskContentStore.takeDisposed}).
 */
import { randomUUID } from "node:crypto";
import { closeSync, fsyncSync, openSync, readSync, writeSync } from "node:fs";
import { type FileHandle, mkdir, open, readdir, rm } from "node:fs/promises";
import path from "node:path";
import type { ContentBlob, ContentStore, FragmentWriter } from "./contentStore.js";

const BLOB_FILE = /^[0-9a-f-]{36}\.bin$/;

class DiskBlob implements ContentBlob {
  private handle: FileHandle | undefined;

  constructor(
    readonly file: string,
    private readonly store: DiskContentStore,
  ) {}

  get storageKey(): string {
    return path.basename(this.file);
  }

  static async create(file: string, store: DiskContentStore): Promise<DiskBlob> {
    const blob = new DiskBlob(file, store);
    blob.handle = await open(file, "w+");
    return blob;
  }

  private async openHandle(): Promise<FileHandle> {
    if (!this.handle) {
      this.handle = await open(this.file, "r+");
      this.store.unsealed.add(this);
    }
    return this.handle;
  }

  writer(position: number): FragmentWriter {
    let offset = position;
    return {
      write: async (chunk) => {
        const handle = await this.openHandle();
        let done = 0;
        while (done < chunk.length) {
          const { bytesWritten } = await handle.write(chunk, done, chunk.length - done, offset + done);
          done += bytesWritten;
        }
        offset += chunk.length;
      },
      // Bytes past a partial commit stay in the file but outside every range the session records; the resend
      // overwrites them. Committed bytes reach the disk before the caller records them as received.
      commit: async () => {
        await (await this.openHandle()).datasync();
      },
      abort: async () => {},
    };
  }

  read(start: number, length: number): Buffer {
    const out = Buffer.alloc(length);
    const fd = openSync(this.file, "r");
    try {
      let done = 0;
      while (done < length) {
        const n = readSync(fd, out, done, length - done, start + done);
        if (n === 0) break;
        done += n;
      }
    } finally {
      closeSync(fd);
    }
    return out;
  }

  async seal(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    this.store.unsealed.delete(this);
    await handle?.close();
  }

  async dispose(): Promise<void> {
    await this.seal();
    this.store.disposed.add(this.file);
  }
}

export class DiskContentStore implements ContentStore {
  readonly kind = "disk" as const;
  /** @internal Blobs with an open handle (closed at close()). */
  readonly unsealed = new Set<DiskBlob>();
  /** @internal Files of disposed blobs, deleted once the journal no longer refers to them. */
  readonly disposed = new Set<string>();

  private constructor(private readonly directory: string) {}

  /** Bytes live in `<dataDir>/blobs/`; what an earlier run left there is kept (see removeOrphans). */
  static async inDirectory(dataDir: string): Promise<DiskContentStore> {
    const directory = path.join(dataDir, "blobs");
    await mkdir(directory, { recursive: true });
    return new DiskContentStore(directory);
  }

  async create(): Promise<ContentBlob> {
    const blob = await DiskBlob.create(path.join(this.directory, `${randomUUID()}.bin`), this);
    this.unsealed.add(blob);
    await this.syncDirectory();
    return blob;
  }

  createFrom(bytes: Buffer): ContentBlob {
    const file = path.join(this.directory, `${randomUUID()}.bin`);
    const fd = openSync(file, "w");
    try {
      let done = 0;
      while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return new DiskBlob(file, this);
  }

  /** A blob an earlier run stored, by the key the journal recorded (`undefined` if the name is not a blob's). */
  open(storageKey: string): ContentBlob | undefined {
    return BLOB_FILE.test(storageKey) ? new DiskBlob(path.join(this.directory, storageKey), this) : undefined;
  }

  /** Deletes every blob file no record refers to (bytes of uploads cut off by a crash); returns how many. */
  async removeOrphans(referenced: ReadonlySet<string>): Promise<number> {
    const names = await readdir(this.directory);
    const orphans = names.filter((name) => !referenced.has(name));
    await Promise.all(orphans.map((name) => rm(path.join(this.directory, name), { force: true })));
    return orphans.length;
  }

  /** Disposed files so far; the caller deletes them (`deleteFiles`) once its record of their disposal is durable. */
  takeDisposed(): string[] {
    const files = [...this.disposed];
    this.disposed.clear();
    return files;
  }

  async deleteFiles(files: readonly string[]): Promise<void> {
    await Promise.all(files.map((file) => rm(file, { force: true })));
  }

  async close(): Promise<void> {
    await Promise.all([...this.unsealed].map((blob) => blob.seal()));
    this.unsealed.clear();
  }

  /** A new file's directory entry must be durable before a record names it. */
  private async syncDirectory(): Promise<void> {
    const handle = await open(this.directory, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}
