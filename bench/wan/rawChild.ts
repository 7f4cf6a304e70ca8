/**
 * The raw fetch-PUT loop (../upload/rawLoop.ts) in a process of its own, so the WAN bench can measure its wall
 * time and peak RSS exactly as it measures graph-mirror's and rclone's. One argument: JSON of {@link RawJob}.
 * Trusts the emulator's local CA through NODE_EXTRA_CA_CERTS, set by the parent (Node reads it at start-up).
 */
import { type FolderUpload, rawCreateFolder, rawUploadFiles } from "../upload/rawLoop.js";

export interface RawJob extends FolderUpload {
  readonly chunkBytes: number;
  readonly concurrency: number;
}

const job = JSON.parse(process.argv[2] ?? "{}") as RawJob;
await rawCreateFolder(job, job.folder);
await rawUploadFiles(job, job.files, job.chunkBytes, job.concurrency);
