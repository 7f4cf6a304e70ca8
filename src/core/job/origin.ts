/**
 * A job's origin (job.ts {@link JobOrigin}), for routing its end to the right recorder. Jobs carry it from
 * creation; rows stored before the field existed do not, so this is the ONE place that still reads the origin
 * from the request id: mirror passes named their requests `mirror-<name>-<stamp>-<hex>` (src/mirror/runner.ts),
 * the HTTP API's request ids are UUIDs or the caller's own id (docs/design.md "Composition root").
 */
import type { JobOrigin, UploadJob } from "./job.js";

export function jobOrigin(job: UploadJob): JobOrigin {
  if (job.origin) return job.origin;
  // Legacy rows: exactly the old test (a `mirror-` prefix), so old rows route as they always did.
  if (job.requestId.startsWith("mirror-")) {
    const name = /^mirror-(.+)-\d{8}T\d{6,9}Z-[0-9a-f]{6}$/.exec(job.requestId)?.[1];
    return { kind: "mirror", mirror: name ?? job.requestId.slice("mirror-".length), runId: job.requestId };
  }
  return { kind: "api", ...(job.requestedBy ? { caller: job.requestedBy } : {}) };
}
