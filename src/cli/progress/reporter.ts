/** What the upload runner tells the user about; a terminal bar display or JSON lines implement it. */
import type { JobEvent, UploadJob } from "../../core/job/job.js";

export interface FileLabel {
  /** The local file as given on the command line. */
  readonly file: string;
  /** The destination path inside the drive. */
  readonly destination: string;
}

export interface ProgressReporter {
  /** A file this run will upload and its size, told before any upload starts (so totals count every file). */
  planned?(label: FileLabel, size: number): void;
  resumed(label: FileLabel, job: UploadJob): void;
  events(label: FileLabel, job: UploadJob, events: readonly JobEvent[]): void;
  close(): void;
}
