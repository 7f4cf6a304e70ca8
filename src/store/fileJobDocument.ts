/**
 * The on-disk form of the CLI's job file (fileJobStore.ts), every version it reads (docs/pipeline.md "The CLI
 * drives the same worker"). Rows are job rows without their ETag (ETags live only in the process holding the file).
 *
 * Version 3, written now, is JSON Lines: a header line `{"version":3}`, then one record per line, a row (its
 * whole state) or `{"drop":"<jobId>"}`; the last record of a job id wins. A step appends the rows it changed
 * (fileJobJournal.ts) instead of rewriting every row, which made a first pass over n files quadratic. A write
 * that did not finish (a crash mid-append) can only leave the LAST line torn: no newline after it, or not a
 * record. It was never acknowledged, so it is ignored. A bad line anywhere else is damage and the file is refused.
 *
 * Version 2 held `{ "version": 2, "rows": [...] }`; version 1, written before the CLI drove the queue worker,
 * `{ "version": 1, "jobs": { <key>: <job> } }`, read as rows at wake number 0 without a lease. Both are still
 * read, so a state file left by an older CLI resumes (docs/upload.md "Resume"), and the first write rewrites
 * them as version 3. Anything else is not ours and is refused, never overwritten.
 */
import type { UploadJob } from "../core/job/job.js";
import type { StoredJob } from "../core/ports/stores.js";

export const FORMAT_VERSION = 3;
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

/** Records as the file holds them: each one line, every line ending with a newline. */
export function linesOf(records: readonly string[]): string {
  return records.length === 0 ? "" : `${records.join("\n")}\n`;
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
  if (headerEnd >= 0 && isHeader(text.slice(0, headerEnd))) return parseLines(text.slice(headerEnd + 1));
  const rows = parseDocument(text);
  return rows && { rows, records: rows.length, rewrite: true };
}

function isHeader(line: string): boolean {
  const value = parseJson(line);
  return (
    typeof value === "object" && value !== null && "version" in value && value.version === FORMAT_VERSION
  );
}

function parseLines(body: string): JobFileContent | undefined {
  const lines = body.split("\n");
  // The text after the last newline: nothing, or a write cut short.
  const tail = lines.pop();
  let torn = tail !== "";
  const rows = new Map<string, FileRow>();
  let records = 0;
  for (const [index, line] of lines.entries()) {
    const record = parseRecord(line);
    if (record === undefined) {
      // Only the last line can be a write that did not finish (all of it written but the fsync, or a crash
      // after its newline reached the disk before the rest of it did): anything earlier is damage.
      if (torn || index < lines.length - 1) return undefined;
      torn = true;
      break;
    }
    records += 1;
    if (typeof record === "string") rows.delete(record);
    else rows.set(record.job.jobId, record);
  }
  return { rows: [...rows.values()], records, rewrite: torn };
}

/** A row, a dropped job's id, or undefined when the line is not a record. */
function parseRecord(line: string): FileRow | string | undefined {
  const value = parseJson(line);
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
