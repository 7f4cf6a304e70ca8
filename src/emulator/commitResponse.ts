/**
 * The answer to a request that committed a file (simple upload, last fragment, deferred commit, sourceUrl
 * commit), and what the service does to the item right after it answered.
 */
import type { DriveRecord } from "./directory.js";
import { json, type Reply } from "./http.js";
import type { ItemRecord } from "./itemTree.js";
import type { EmulatorState } from "./state.js";

/**
 * Files whose metadata the service extracts in the background after an upload: photos, audio, video and Office
 * documents. Microsoft, on OneDrive/onedrive-api-docs#308 (a .jpg and an .mp3 whose eTag changed between the
 * upload response and the next read): "there is background work scheduled to pull the metadata from the binary
 * and persist it back in the metadata ... it will result in a new ETag value". Office files: property promotion
 * (docs/graph-protocol.md "What the service does").
 */
const METADATA_EXTRACTED =
  /\.(jpe?g|png|gif|heic|heif|tiff?|bmp|webp|mp4|mov|m4v|avi|wmv|mp3|m4a|wav|wma|aac|flac|docx|xlsx|pptx)$/i;

export function committedItemReply(
  state: EmulatorState,
  drive: DriveRecord,
  item: ItemRecord,
  created: boolean,
): Reply {
  // The answer carries the eTag the commit produced ...
  const body = state.itemJson(item, drive);
  // ... and the background metadata update has already happened for any later read (deterministic: no timer).
  if (state.limits.serviceUpdatesMetadata && METADATA_EXTRACTED.test(item.name)) {
    state.tree(drive).touchMetadata(item);
    state.log.count("metadataUpdates");
  }
  return json(created ? 201 : 200, body);
}
