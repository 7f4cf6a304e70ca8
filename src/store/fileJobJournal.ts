/**
 * Writes the CLI's job file (format: fileJobDocument.ts) as a journal: a write appends the changed rows (and drops)
 * as ONE line in one `write` through a handle opened with O_APPEND, then fdatasync, so a step costs what it changed
 * instead of every row's JSON (docs/pipeline.md "The CLI drives the same worker"; at 10,000 rows the whole-file
 * rewrite was ~15 MB per step, a first pass quadratic). One line (a batch line when it carries several records):
 * a crash may persist a later page of an append but not an earlier one, and the reader ignores only a bad LAST
 * line, so an append of several lines could leave damage that refuses the file; one line keeps all of it or none.
 *
 * Compaction: once the file holds more than 2 x live rows + 64 records, the next write rewrites it with one line
 * per live row through writeFileAtomic (temp file, fsync, rename) and reopens the append handle on the new file.
 * Records are whole row states of about one size per row, so counting them bounds the file at about twice its
 * compacted size (plus 64 rows' worth, so that a handful of rows is not rewritten every few steps), and a
 * compaction writing L rows comes at least L + 64 appends after the previous one: each append pays at most about
 * one row of rewriting, O(changed rows) per step overall, and opening parses at most about 2 x the live rows.
 *
 * The file is only ever created by writeFileAtomic (mode 0600: rows hold upload URLs, which are credentials;
 * docs/design.md invariant 5); the append handle is opened without O_CREAT, so an append never makes a file with
 * the umask's mode. Anything that may have left bytes the next append would follow (a failed or short append, a
 * torn last line or an older version found on open) makes the next write a compaction instead. An append that
 * went to a file no longer at the path (deleted or replaced under the store) is followed at once by a compaction
 * at the path, before the write resolves.
 */
import { constants } from "node:fs";
import { type FileHandle, open, rm, stat } from "node:fs/promises";
import { writeFileAtomic } from "./atomicFile.js";
import { appendOf, documentOf } from "./fileJobDocument.js";

/** Records beyond twice the live rows that the file may hold before it is compacted (see above). */
const SLACK_RECORDS = 64;

/** The file as found on open: undefined when there is none. */
export interface FoundJournal {
  readonly records: number;
  readonly rewrite: boolean;
}

export class JobJournal {
  private handle: FileHandle | undefined;
  /** Records after the header in the file now. */
  private records: number;
  /** The next write rewrites the file (see above); also when there is no file yet. */
  private mustRewrite: boolean;

  constructor(
    readonly file: string,
    found: FoundJournal | undefined,
  ) {
    this.records = found?.records ?? 0;
    this.mustRewrite = found === undefined || found.rewrite;
  }

  /**
   * Puts these records on disk, each a row's JSON or a drop (fileJobDocument.ts): appended as one line, or the file
   * compacted to `live` (every live row's JSON, a line each: the rename makes it atomic) when it holds too many
   * stale records. Resolves once they are fsynced.
   */
  async write(records: readonly string[], live: ReadonlyMap<string, string>): Promise<void> {
    if (records.length === 0 && !this.mustRewrite) return;
    if (this.mustRewrite || this.records + records.length > 2 * live.size + SLACK_RECORDS) {
      await this.compact(live);
      return;
    }
    try {
      await this.append(Buffer.from(appendOf(records), "utf8"));
      this.records += records.length;
      // Appended to a file no longer at the path (deleted or replaced under the store): nothing is on disk
      // where the next run looks. Write every row there now, as the write has not resolved yet.
      if (!(await this.handleIsTheFile())) await this.compact(live);
    } catch (err: unknown) {
      // Some of the bytes may be in the file without their newline: never append after them.
      this.mustRewrite = true;
      await this.closeHandle();
      throw err;
    }
  }

  /** Deletes the file (a store with no rows is no file); the next write creates it again. */
  async remove(): Promise<void> {
    await this.closeHandle();
    this.mustRewrite = true;
    this.records = 0;
    await rm(this.file, { force: true });
  }

  async close(): Promise<void> {
    await this.closeHandle();
  }

  private async compact(live: ReadonlyMap<string, string>): Promise<void> {
    // Closed first: the rename replaces the file (Windows may refuse to replace an open one), and appends must
    // go to the new file.
    await this.closeHandle();
    this.mustRewrite = true;
    // The folder too: every append from here on goes to the new file, so a rename lost in a power cut would
    // take all of them with it, not one step as when every write was a rename (atomicFile.ts).
    await writeFileAtomic(this.file, documentOf(live.values()), { syncDirectory: true });
    this.records = live.size;
    this.mustRewrite = false;
  }

  private async append(bytes: Buffer): Promise<void> {
    // No O_CREAT: the file exists (writeFileAtomic made it, 0600) unless someone removed it, and then this fails.
    this.handle ??= await open(this.file, constants.O_WRONLY | constants.O_APPEND);
    let done = 0;
    // One write call; a regular file only takes fewer bytes when the disk is full (the next call then fails).
    while (done < bytes.length) {
      const { bytesWritten } = await this.handle.write(bytes, done, bytes.length - done);
      if (bytesWritten === 0) throw new Error(`${this.file}: nothing written`);
      done += bytesWritten;
    }
    await this.handle.datasync();
  }

  /** Whether the open append handle is still the file at the path (same inode, not unlinked). */
  private async handleIsTheFile(): Promise<boolean> {
    const handle = this.handle;
    if (!handle) return false;
    const held = await handle.stat();
    if (held.nlink === 0) return false;
    const current = await stat(this.file).catch(() => undefined);
    return current !== undefined && current.ino === held.ino && current.dev === held.dev;
  }

  private async closeHandle(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }
}
