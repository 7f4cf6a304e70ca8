/**
 * The on-disk form of the CLI's job file (fileJobStore.ts), every version it reads (docs/pipeline.md "The CLI
 * drives the same worker"). Rows are job rows without their ETag (ETags live only in the process holding the file).
 *
 * Version 4, written now, is JSON Lines: a header line `{"version":4}`, then one line per append (fileJobJournal.ts
 * appends the rows a step changed instead of rewriting every row, which made a first pass over n files quadratic).
 * A record is a row (its whole state) or `{"drop":"<jobId>"}`; an append of one record is that record's line, an
 * append of several is one line `{"batch":[<record>,...]}`; the last record of a job id wins. One line per append
 * because a crash (power loss) may persist a later page of an append but not an earlier one (XFS, NTFS, APFS;
 * not ext4's data=ordered): had an append been several lines, the damage could land on a line before the last and
 * refuse the whole file. Every earlier append was fdatasynced before the next began, so only the last line can
 * be a write that did not finish (no newline after it, or not a record: cut short, or zeros where pages were
 * lost). It was never acknowledged, so it is ignored. A bad line anywhere else is damage and the file is refused.
 *
 * Version 3 was the same without batch lines, an append of several records being several lines. It is read as it
 * always was (a batch line is not one of its records) and rewritten as version 4 by the first write, so that an
 * older CLI meets a version 4 file as not its own instead of taking a batch line for a torn last line.
 * Version 2 held `{ "version": 2, "rows": [...] }`; version 1, written before the CLI drove the queue worker,
 * `{ "version": 1, "jobs": { <key>: <job> } }`, read as rows at wake number 0 without a lease. Both are still
 * read, so a state file left by an older CLI resumes (docs/upload.md "Resume"), and the first write rewrites
 * them as version 4. Anything else is not ours and is refused, never overwritten.
 */
import type { UploadJob } from "../core/job/job.js";
import type { StoredJob } from "../core/ports/stores.js";

const FORMAT_VERSION = 4;
/** The JSON Lines version before batch lines: read, then rewritten (see above). */
const UNBATCHED_VERSION = 3;
const HEADER = `{"version":${FORMAT_VERSION}}`;

export type FileRow = Omit<StoredJob, "etag">;

/** What a job file holds, and what the next write must know about the file as it was found. */
export interface JobFileContent {
  /** The live rows, in the order their job ids first appeared (the store's own order). */
  readonly rows: FileRow[];
  /** Records after the header, superseded ones and drops included: what compaction is measured by. */
  readonly records: number;
  /** The file must be rewritten before anything is appended to it: an older version, or a torn last line. */
  readonly rewrite: boolean;
}

/** The compacted file of these rows: the header and one line per row. */
export function serializeRows(rows: Iterable<FileRow>): string {
  return documentOf([...rows].map((row) => JSON.stringify(row)));
}

/**
 * The compacted file from each row's JSON (`JSON.stringify(row)`), byte for byte what serializeRows writes: the
 * store keeps every row's text, made once per change (issue 17).
 */
export function documentOf(rowTexts: Iterable<string>): string {
  return `${HEADER}\n${linesOf([...rowTexts])}`;
}

/** Records as a compacted file holds them (an atomic rename, no batch needed): each one line, newline-ended. */
export function linesOf(records: readonly string[]): string {
  return records.length === 0 ? "" : `${records.join("\n")}\n`;
}

/**
 * One append (one record or more) as the file holds it: exactly one line whatever their number, so a crash can
 * only damage the last line (see above). One record is its own line, byte for byte as version 3 wrote it.
 */
export function appendOf(records: readonly string[]): string {
  return records.length === 1 ? `${records[0]}\n` : `{"batch":[${records.join(",")}]}\n`;
}

/** The record that removes a row. */
export function dropRecord(jobId: string): string {
  return JSON.stringify({ drop: jobId });
}

/** The rows of a job file, or undefined when the text is not one of ours. */
export function parseRows(text: string): FileRow[] | undefined {
  return parseJobFile(text)?.rows;
}

/** A job file of any version, or undefined when the text is not one of ours (or is damaged). */
export function parseJobFile(text: string): JobFileContent | undefined {
  const headerEnd = text.indexOf("\n");
  const version = headerEnd >= 0 ? headerVersion(text.slice(0, headerEnd)) : undefined;
  if (version !== undefined) {
    const content = parseLines(text.slice(headerEnd + 1), version === FORMAT_VERSION);
    return content && version !== FORMAT_VERSION ? { ...content, rewrite: true } : content;
  }
  const rows = parseDocument(text);
  return rows && { rows, records: rows.length, rewrite: true };
}

/** The version a JSON Lines header names, when it is one this reads. */
function headerVersion(line: string): number | undefined {
  const value = parseJson(line);
  if (typeof value !== "object" || value === null || !("version" in value)) return undefined;
  return value.version === FORMAT_VERSION || value.version === UNBATCHED_VERSION ? value.version : undefined;
}

/** The records after the header; `batches`: version 4, where a line may hold several (see above). */
function parseLines(body: string, batches: boolean): JobFileContent | undefined {
  const lines = body.split("\n");
  // The text after the last newline: nothing, or a write cut short.
  const tail = lines.pop();
  let torn = tail !== "";
  const rows = new Map<string, FileRow>();
  let records = 0;
  for (const [index, line] of lines.entries()) {
    const found = recordsOf(line, batches);
    if (found === undefined) {
      // Only the last line can be a write that did not finish (all of it written but the fsync, or a crash
      // that kept its newline or a later page of it but lost an earlier one): anything earlier is damage.
      if (torn || index < lines.length - 1) return undefined;
      torn = true;
      break;
    }
    records += found.length;
    for (const record of found) {
      if (typeof record === "string") rows.delete(record);
      else rows.set(record.job.jobId, record);
    }
  }
  return { rows: [...rows.values()], records, rewrite: torn };
}

/** A row, or a dropped job's id. */
type JournalRecord = FileRow | string;

/** The records of one line (a batch's, in order, in version 4), or undefined when it is not a whole append. */
function recordsOf(line: string, batches: boolean): JournalRecord[] | undefined {
  const value = parseJson(line);
  const record = recordOf(value);
  if (record !== undefined) return [record];
  if (!batches || typeof value !== "object" || value === null || !("batch" in value)) return undefined;
  const batch = value.batch;
  if (!Array.isArray(batch) || batch.length === 0 || Object.keys(value).length !== 1) return undefined;
  const found = batch.map(recordOf);
  return found.every((r) => r !== undefined) ? found : undefined;
}

/** A row, a dropped job's id, or undefined when the value is not a record. */
function recordOf(value: unknown): JournalRecord | undefined {
  if (isRowShape(value)) return value;
  if (typeof value !== "object" || value === null || !("drop" in value)) return undefined;
  return typeof value.drop === "string" && Object.keys(value).length === 1 ? value.drop : undefined;
}

/** Versions 1 and 2: one JSON document. */
function parseDocument(text: string): FileRow[] | undefined {
  const value = parseJson(text);
  if (typeof value !== "object" || value === null || !("version" in value)) return undefined;
  if (value.version === 2 && "rows" in value && Array.isArray(value.rows)) {
    return value.rows.every(isRowShape) ? value.rows : undefined;
  }
  if (value.version === 1 && "jobs" in value) {
    const jobs = value.jobs;
    if (typeof jobs !== "object" || jobs === null) return undefined;
    const legacy = Object.values(jobs);
    return legacy.every(isJobShape) ? legacy.map((job) => ({ job, wakeSeq: 0 })) : undefined;
  }
  return undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isRowShape(value: unknown): value is FileRow {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.wakeSeq === "number" && isJobShape(v.job);
}

/** Enough of a shape check to refuse foreign files; the file is ours (0600) so its content is trusted. */
function isJobShape(value: unknown): value is UploadJob {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.jobId === "string" &&
    typeof v.status === "string" &&
    typeof v.confirmedOffset === "number" &&
    typeof v.hash === "object" &&
    typeof v.source === "object" &&
    typeof v.destination === "object"
  );
}
