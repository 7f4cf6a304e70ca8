/**
 * Did someone else change the destination copy of a file we uploaded? Decided on the CONTENT, never on the eTag.
 *
 * Graph changes items on its own after an upload: metadata extraction for photos, audio and video, and property
 * promotion for Office files, give the item a new eTag; the cTag (content tag) changes only when the content
 * does (docs/graph-protocol.md "What the service does that the documentation barely says"; the driveItem resource,
 * https://learn.microsoft.com/en-us/graph/api/resources/driveitem: eTag for the whole item, cTag for its
 * content). Comparing eTags made every such file look "changed by someone else" forever, so the mirror
 * silently stopped updating it.
 *
 * The rule (docs/mirroring.md "Change detection"), against what the service stored for our upload:
 * 1. another item id at the path: someone else (deleted and re-created, or replaced by a move);
 * 2. both sides have a cTag and they differ: someone else;
 * 3. the sizes differ: someone else;
 * 4. both sides have a QuickXorHash and they differ: someone else;
 * otherwise it is ours, whatever the eTag says.
 *
 * Manifest entries written before cTags were recorded have no cTag: rules 1, 3 and 4 still apply (those entries
 * always held the item id, the stored size and, when the service reported it, the hash). The eTag they hold is
 * never compared: a new eTag alone is what the service does by itself.
 */
import type { ManifestEntry, RemoteItem } from "../core/ports/mirror.js";

/** Why the destination copy is someone else's since our upload, in words; undefined when it is still ours. */
export function changeByOthers(known: ManifestEntry, remote: RemoteItem): string | undefined {
  if (remote.id !== known.itemId) return "another item is at that path now";
  if (known.cTag !== undefined && remote.cTag !== undefined && remote.cTag !== known.cTag) {
    return "its content tag (cTag) changed";
  }
  if (remote.size !== undefined && remote.size !== known.size) {
    return `its size changed (${known.size} -> ${remote.size} bytes)`;
  }
  if (
    known.quickXorHash !== undefined &&
    remote.quickXorHash !== undefined &&
    remote.quickXorHash !== known.quickXorHash
  ) {
    return "its content hash changed";
  }
  return undefined;
}

/**
 * The `If-Match` value for deleting a copy judged ours: the cTag we recorded (or, for an entry without one, the
 * item's current cTag), so a service-side eTag bump between planning and the delete does not answer 412, while a
 * content change by someone else still does. Graph takes "the eTag (or cTag)" in If-Match for a delete:
 * https://learn.microsoft.com/en-us/graph/api/driveitem-delete. The eTag is the last resort.
 */
export function deletionPrecondition(known: ManifestEntry, remote: RemoteItem): string | undefined {
  return known.cTag ?? remote.cTag ?? remote.eTag;
}
