/**
 * The end-of-upload check (DESIGN invariant 1): the stored item must have our size and QuickXorHash. SharePoint
 * rewrites Office files after upload (GRAPH.md "Integrity"), so for those a differing hash is reported as
 * "verified by size only (service-modified file type)" instead of failing or re-uploading in a loop.
 */
import { jobError } from "./errorClassification.js";
import type { DriveItem } from "./graphPort.js";
import type { JobError, UploadResult } from "./job.js";
import { isServiceModifiedType } from "./names.js";

export type Verdict =
  | { readonly kind: "verified"; readonly result: UploadResult }
  | { readonly kind: "hash-pending"; readonly error: JobError }
  | { readonly kind: "mismatch"; readonly error: JobError };

export function verifyUpload(item: DriveItem, size: number, digest: string, path: string): Verdict {
  const base = {
    itemId: item.id,
    size: item.size,
    ...(item.webUrl ? { webUrl: item.webUrl } : {}),
    ...(item.eTag ? { eTag: item.eTag } : {}),
    ...(item.cTag ? { cTag: item.cTag } : {}),
    ...(item.quickXorHash ? { quickXorHash: item.quickXorHash } : {}),
  };
  if (item.size === size && item.quickXorHash === digest) {
    return { kind: "verified", result: { ...base, verification: "hash" } };
  }
  if (isServiceModifiedType(path)) {
    return { kind: "verified", result: { ...base, verification: "size-only" } };
  }
  if (item.size === size && !item.quickXorHash) {
    return {
      kind: "hash-pending",
      error: jobError("hash-pending", "the service has not computed the file's hash yet"),
    };
  }
  const what =
    item.size !== size
      ? `the stored file has ${item.size} bytes, the source ${size}`
      : `the stored file's QuickXorHash ${item.quickXorHash} differs from the source's ${digest}`;
  return { kind: "mismatch", error: jobError("hash-mismatch", `verification failed: ${what}`) };
}
