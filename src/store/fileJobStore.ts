/**
 * The CLI's JobStore: every row of one job file in memory, each write appending the rows it changed to the file
 * (a journal, fileJobJournal.ts; format in fileJobDocument.ts), compacted once it holds mostly stale records.
 * Mode 0600: rows hold upload URLs, which are credentials (docs/design.md invariant 5). It passes the same
 * contract suite as the Table and in-memory stores, so the CLI runs the queue worker unchanged
 * (docs/pipeline.md "The CLI drives the same worker").
 *
 * One process per file (fileLock.ts). Hence, on open, a row still leased was leased by a process that died
 * mid-step: the lease is released at once and the job marked for resume (`resume`, engine `resumeJob`: ask
 * the session status before sending), instead of the new run waiting the lease out.
 *
 * A write that only takes or moves a lease is not written to disk before `replace` returns: a lease means
 * nothing to the next process (see above), so waiting for the disk would only add an fsync to every step; the
 * next write carries it. Every other write is on disk when `replace` resolves (persist-before-use: an upload URL
 * is saved before its first fragment). Concurrent writes share one append of every row changed since the last.
 * An append is one line however many rows it carries, so a crash mid-append keeps all of that append's rows or
 * none of them (fileJobDocument.ts; docs/pipeline.md "The CLI drives the same worker").
 */
import { readFile, rm } from "node:fs/promises";
import type { UploadJob } from "../core/job/job.js";
import { ConcurrencyError, type JobStore, type StoredJob } from "../core/ports/stores.js";
import { ConfigError } from "../core/shared/validationError.js";
import { dropRecord, type FileRow, type JobFileContent, parseJobFile } from "./fileJobDocument.js";
import { JobJournal } from "./fileJobJournal.js";
import { type FileLock, LockedError, lockFile } from "./fileLock.js";
import { toEntity } from "./jobRow.js";
import { checkNewJobs, overdueRows, rowOf, rowsOfRequest } from "./jobRowQueries.js";

export interface FileJobStoreOptions {
  /** The command-line option that chose the file, named in every error about it (`--state`, `--state-dir`). */
  readonly option: string;
  /** Prepares the job of a row a dead process left leased (engine `resumeJob`). */
  readonly resume?: (job: UploadJob) => UploadJob;
}

export class FileJobStore implements JobStore {
  private readonly rows = new Map<string, StoredJob>();
  /**
   * Each row's JSON as the file holds it (no ETag), in the rows' order: made once per change, so an append and a
   * compaction join texts instead of serializing rows again (issue 17).
   */
  private readonly texts = new Map<string, string>();
  /** Rows put or dropped since the last write began: what the next write appends. */
  private readonly changed = new Set<string>();
  private etagCounter = 0;
  private writing: Promise<void> = Promise.resolve();
  private pending: Promise<void> | undefined;

  private constructor(
    readonly file: string,
    private readonly lock: FileLock,
    private readonly journal: JobJournal,
  ) {}

  /** Opens (or starts) a job file and locks it. A file that is not ours is refused, never overwritten. */
  static async open(file: string, options: FileJobStoreOptions): Promise<FileJobStore> {
    let lock: FileLock;
    try {
      lock = await lockFile(file);
    } catch (err: unknown) {
      if (!(err instanceof LockedError)) throw unreadable(file, options.option, err);
      throw optionError(options.option, `${err.message}; wait for it to end or choose another path`);
    }
    try {
      const found = await readFileContent(file, options.option);
      const store = new FileJobStore(file, lock, new JobJournal(file, found));
      for (const row of found?.rows ?? []) store.adopt(row, options.resume);
      return store;
    } catch (err: unknown) {
      await lock.release();
      throw err;
    }
  }

  /** The jobs of a job file, read without locking it (`graph-mirror status` beside a running mirror). */
  static async read(file: string, option: string): Promise<ReadonlyMap<string, UploadJob>> {
    const rows = (await readFileContent(file, option))?.rows ?? [];
    return new Map(rows.map((row) => [row.job.jobId, row.job]));
  }

  async createJobs(jobs: readonly UploadJob[]): Promise<void> {
    if (jobs.length === 0) return;
    checkNewJobs(this.rows, jobs);
    for (const job of jobs) this.put({ job, wakeSeq: 0 });
    await this.persist();
  }

  async get(jobId: string, requestId?: string): Promise<StoredJob | undefined> {
    return rowOf(this.rows, jobId, requestId);
  }

  async replace(next: Omit<StoredJob, "etag">, etag: string): Promise<StoredJob> {
    toEntity(next);
    const current = this.rows.get(next.job.jobId);
    if (!current || current.etag !== etag) throw new ConcurrencyError(next.job.jobId);
    const stored = this.put(next);
    if (!onlyLeaseChanged(current, stored)) await this.persist();
    return structuredClone(stored);
  }

  async listByRequest(requestId: string): Promise<StoredJob[]> {
    return rowsOfRequest(this.rows, requestId);
  }

  async listOverdue(now: number, limit: number): Promise<StoredJob[]> {
    return overdueRows(this.rows, now, limit);
  }

  /** Every job in the file (for finding a command's earlier jobs). */
  jobs(): UploadJob[] {
    return [...this.rows.values()].map((row) => structuredClone(row.job));
  }

  /** One job, synchronously (the mirror pass's check of its pending jobs). */
  peek(jobId: string): UploadJob | undefined {
    const row = this.rows.get(jobId);
    return row ? structuredClone(row.job) : undefined;
  }

  /** Drops rows (jobs a later run replaces or has recorded) and writes the file; an empty store is no file. */
  async drop(jobIds: Iterable<string>): Promise<void> {
    let changed = false;
    for (const jobId of jobIds) {
      this.texts.delete(jobId);
      if (this.rows.delete(jobId)) {
        this.changed.add(jobId);
        changed = true;
      }
    }
    if (changed) await this.persist();
  }

  /** Keeps only these rows: `drop` everything else. */
  async retain(jobIds: Iterable<string>): Promise<void> {
    const keep = new Set(jobIds);
    await this.drop([...this.rows.keys()].filter((jobId) => !keep.has(jobId)));
  }

  /** Waits for the last write, optionally deletes the file (every upload finished), and unlocks it. */
  async close(options: { readonly deleteFile?: boolean } = {}): Promise<void> {
    try {
      await this.writing;
      await this.journal.close();
      if (options.deleteFile) await rm(this.file, { force: true });
    } finally {
      await this.lock.release();
    }
  }

  private adopt(row: FileRow, resume: ((job: UploadJob) => UploadJob) | undefined): void {
    if (row.leaseOwner === undefined) {
      this.put(row);
      // On disk as it is: the first write appends only what changes from here.
      this.changed.delete(row.job.jobId);
      return;
    }
    // Its holder died mid-step (we hold the lock): free the job now, and ask before sending.
    const { leaseOwner: _owner, leaseUntil: _until, ...free } = row;
    this.put({ ...free, job: resume ? resume(row.job) : row.job });
  }

  private put(row: FileRow): StoredJob {
    this.etagCounter += 1;
    const stored = structuredClone({ ...row, etag: `W/"file-${this.etagCounter}"` });
    const { etag: _etag, ...plain } = stored;
    this.rows.set(row.job.jobId, stored);
    this.texts.set(row.job.jobId, JSON.stringify(plain));
    this.changed.add(row.job.jobId);
    return stored;
  }

  /** Resolves once a write holding every row as it is now is on disk; concurrent callers share one write. */
  private persist(): Promise<void> {
    if (this.pending) return this.pending;
    const next = this.writing.then(() => {
      this.pending = undefined;
      return this.writeNow();
    });
    this.pending = next;
    this.writing = next.catch(() => undefined);
    return next;
  }

  private async writeNow(): Promise<void> {
    // Taken now: rows changed while this write runs go to the next one.
    const records = [...this.changed].map((jobId) => this.texts.get(jobId) ?? dropRecord(jobId));
    this.changed.clear();
    if (this.rows.size === 0) await this.journal.remove();
    else await this.journal.write(records, this.texts);
  }
}

/** The file's rows and state, or undefined when there is no file. */
async function readFileContent(file: string, option: string): Promise<JobFileContent | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err: unknown) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw unreadable(file, option, err);
  }
  // Beside a running process (`read`), the last line may be an append in progress (one line, however many rows
  // it carries): torn, and ignored.
  const content = parseJobFile(text);
  if (!content)
    throw optionError(option, `${file} is not a graph-mirror upload state file; choose another path`);
  return content;
}

function unreadable(file: string, option: string, err: unknown): ConfigError {
  const code = err instanceof Error && "code" in err ? String(err.code) : "unreadable";
  return optionError(option, `${file} cannot be read (${code})`);
}

function optionError(option: string, rule: string): ConfigError {
  return new ConfigError([{ field: option, rule }], "option");
}

function onlyLeaseChanged(before: StoredJob, after: StoredJob): boolean {
  const { etag: _a, leaseOwner: _b, leaseUntil: _c, ...restBefore } = before;
  const { etag: _d, leaseOwner: _e, leaseUntil: _f, ...restAfter } = after;
  return JSON.stringify(restBefore) === JSON.stringify(restAfter);
}
