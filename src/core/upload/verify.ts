/**
 * The end-of-upload check (docs/design.md invariant 1): the stored item must have our size and QuickXorHash.
 *
 * What the service does that this must survive (docs/graph-protocol.md "What the service does that the documentation barely
 * says"; docs/upload.md "Verification"):
 * - SharePoint rewrites Office files after upload (property promotion), so their stored size and hash differ:
 *   reported as `size-only` with a warning instead of failing or uploading again in a loop.
 * - `quickXorHash` can be missing (0-byte files on OneDrive for Business; hashes not computed yet): the caller
 *   reads the item again a few times, then accepts the size alone, with a warning; absent is not wrong.
 * - An item found by path (not returned by our own session's commit) is only proof when it is ours: modified
 *   after our session began, with our size and, where the service kept one, our hash. Otherwise it is someone
 *   else's file, or the previous version.
 */

import type { JobError, UploadResult } from "../job/job.js";
import type { DriveItem } from "../ports/graph.js";
import { isServiceModifiedType } from "../shared/names.js";
import { jobError } from "./errorClassification.js";

/** Where the item came from: our session's (or simple upload's) answer, or a lookup by path. */
export type Provenance = "answer" | { readonly foundAfter: number };

export type Verdict =
  | { readonly kind: "verified"; readonly result: UploadResult }
  /** Same size, no hash yet: read the item again later, or accept the size (`acceptSizeOnly`). */
  | { readonly kind: "hash-missing"; readonly acceptSizeOnly: UploadResult }
  | { readonly kind: "mismatch"; readonly error: JobError }
  /** Found by path but not provably ours (older than our session, or different content). */
  | { readonly kind: "not-ours" };

/**
 * Server and client clocks differ: an item "modified after our session began" is allowed this much earlier
 * than our own clock says the session began.
 */
export const CLOCK_SKEW_MS = 5 * 60_000;

const OFFICE_WARNING =
  "the service rewrites this file type after upload (SharePoint property promotion), so only the size was " +
  "compared on upload and the stored copy's hash differs from the source's";
const EMPTY_WARNING = "the service keeps no QuickXorHash for empty files; verified by size";
const NO_HASH_WARNING = "the service did not provide a QuickXorHash for this file; verified by size only";

export function verifyUpload(
  item: DriveItem,
  size: number,
  digest: string,
  path: string,
  provenance: Provenance,
): Verdict {
  if (provenance !== "answer") {
    const modifiedAt = item.modifiedAt;
    if (modifiedAt !== undefined && modifiedAt < provenance.foundAfter - CLOCK_SKEW_MS)
      return { kind: "not-ours" };
  }
  const base = {
    itemId: item.id,
    size: item.size,
    ...(item.name ? { name: item.name } : {}),
    ...(item.webUrl ? { webUrl: item.webUrl } : {}),
    ...(item.eTag ? { eTag: item.eTag } : {}),
    ...(item.cTag ? { cTag: item.cTag } : {}),
    ...(item.quickXorHash ? { quickXorHash: item.quickXorHash } : {}),
  };
  if (item.size === size && item.quickXorHash === digest) {
    return { kind: "verified", result: { ...base, verification: "hash" } };
  }
  if (isServiceModifiedType(item.name ?? path)) {
    // An item found by path must at least carry a modification time to be taken as ours: an Office file's
    // size and hash cannot tell.
    if (provenance !== "answer" && item.modifiedAt === undefined) return { kind: "not-ours" };
    return { kind: "verified", result: { ...base, verification: "size-only", warning: OFFICE_WARNING } };
  }
  if (item.size === size && !item.quickXorHash) {
    const warning = size === 0 ? EMPTY_WARNING : NO_HASH_WARNING;
    const acceptSizeOnly: UploadResult = { ...base, verification: "size-only", warning };
    if (size === 0) return { kind: "verified", result: acceptSizeOnly };
    return { kind: "hash-missing", acceptSizeOnly };
  }
  if (provenance !== "answer") return { kind: "not-ours" };
  const what =
    item.size !== size
      ? `the stored file has ${item.size} bytes, the source ${size}`
      : `the stored file's QuickXorHash ${item.quickXorHash} differs from the source's ${digest}`;
  return { kind: "mismatch", error: jobError("hash-mismatch", `verification failed: ${what}`) };
}
