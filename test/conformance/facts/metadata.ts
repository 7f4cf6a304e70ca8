/**
 * Metadata-only changes. Source: Microsoft Learn, driveItem resource: `cTag` is "an eTag for the content of
 * the item. This eTag is not changed if only the metadata is changed", while `eTag` covers the whole item
 * (metadata + content). The metadata changed is `fileSystemInfo.lastModifiedDateTime` ("Update DriveItem
 * properties"; rclone sets modification times this way on every drive type), not `description`, which the
 * resource page documents for OneDrive Personal only.
 */
import { expect, it } from "vitest";
import { itemOf } from "../bodies.js";
import { Probe, patternBytes } from "../probe.js";
import type { ConformanceTarget } from "../target.js";

export function metadataFacts(target: () => ConformanceTarget): void {
  it("a metadata-only PATCH changes the eTag and keeps the cTag", async () => {
    const probe = new Probe(target());
    // A .txt file: not one the service post-processes (media, Office), so no eTag change of its own.
    const created = await probe.simpleUpload("meta.txt", patternBytes(64, 6));
    expect(created.status).toBe(201);
    const before = itemOf(created);

    const stamp = "2024-02-03T04:05:06Z";
    const patched = await probe.wire.graph("PATCH", probe.itemByIdUrl(before.id), "updateItem", {
      json: { fileSystemInfo: { lastModifiedDateTime: stamp } },
    });
    expect(patched.status).toBe(200);
    const after = itemOf(patched);
    expect(after.lastModifiedByClient).toBe(stamp);
    expect(after.eTag).not.toBe(before.eTag);
    expect(after.cTag).toBe(before.cTag);

    const read = await probe.wire.graph("GET", probe.itemByIdUrl(before.id), "getItem");
    expect(read.status).toBe(200);
    expect(itemOf(read).cTag).toBe(before.cTag);
    expect(itemOf(read).size).toBe(before.size);
    probe.expectRequests(3);
  });
}
