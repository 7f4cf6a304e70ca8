import type { UploadJob } from "../../../src/core/job/job.js";
import { newJob } from "../../../src/core/upload/engine.js";

let counter = 0;

/** A fresh queued job for a `drive` destination; ids unique per test file. */
export function makeJob(overrides: Partial<UploadJob> & { readonly now?: number } = {}): UploadJob {
  counter += 1;
  const { now = Date.UTC(2026, 0, 1), ...rest } = overrides;
  const base = newJob({
    jobId: `job-${counter}-${Math.random().toString(36).slice(2, 8)}`,
    requestId: `req-${counter}`,
    source: { type: "file", path: "/data/file.bin" },
    destination: { type: "drive", driveId: "b!drive-one", path: "/docs/file.bin" },
    conflictBehavior: "replace",
    chunkSize: 327_680,
    simpleUploadMax: 4 * 1024 * 1024,
    now,
  });
  return { ...base, ...rest };
}
