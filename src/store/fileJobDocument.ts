/**
 * The on-disk form of the CLI's job file (fileJobStore.ts): `{ "version": 2, "rows": [...] }`, one entry per
 * job row without its ETag (ETags live only in the process that holds the file). Version 1, written by the
 * CLI before it drove the queue worker, held `{ "version": 1, "jobs": { <key>: <job> } }`; it is read as rows
 * at wake number 0 without a lease, so a state file left by that version still resumes (docs/upload.md
 * "Resume"). Anything else is not ours and is refused, never overwritten.
 */
import type { UploadJob } from "../core/job/job.js";
import type { StoredJob } from "../core/ports/stores.js";

export const FORMAT_VERSION = 2;
const LEGACY_VERSION = 1;

export type FileRow = Omit<StoredJob, "etag">;

export function serializeRows(rows: Iterable<FileRow>): string {
  return documentOf([...rows].map((row) => JSON.stringify(row)));
}

/**
 * The document from each row's JSON (`JSON.stringify(row)`), byte for byte what serializeRows writes: the file
 * store keeps every row's text and rewrites only the changed ones' (issue 17: re-serializing 1,000 rows on
 * every write made a first pass quadratic).
 */
export function documentOf(rowTexts: Iterable<string>): string {
  return `{"version":${FORMAT_VERSION},"rows":[${[...rowTexts].join(",")}]}`;
}

/** The rows of a job file, or undefined when the text is not one of ours. */
export function parseRows(text: string): FileRow[] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null || !("version" in value)) return undefined;
  if (value.version === FORMAT_VERSION && "rows" in value && Array.isArray(value.rows)) {
    return value.rows.every(isRowShape) ? value.rows : undefined;
  }
  if (value.version === LEGACY_VERSION && "jobs" in value) {
    const jobs = value.jobs;
    if (typeof jobs !== "object" || jobs === null) return undefined;
    const legacy = Object.values(jobs);
    return legacy.every(isJobShape) ? legacy.map((job) => ({ job, wakeSeq: 0 })) : undefined;
  }
  return undefined;
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
