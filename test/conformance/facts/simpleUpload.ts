/**
 * Simple upload (`PUT .../root:/{path}:/content`). Sources: Microsoft Learn "Upload or replace the contents of
 * a driveItem" (201 created, 200 replaced, the driveItem in the body); driveItem resource and "hashes"
 * resource (quickXorHash); docs/graph-protocol.md "Simple upload", "Integrity".
 */
import { expect, it } from "vitest";
import { quickXorHashOf } from "../../../src/core/shared/quickXorHash.js";
import { itemOf } from "../bodies.js";
import { Probe, patternBytes } from "../probe.js";
import type { ConformanceTarget } from "../target.js";

export function simpleUploadFacts(target: () => ConformanceTarget): void {
  it("simple upload answers 201 for a new file and 200 when it replaces it, with size and our quickXorHash", async () => {
    const probe = new Probe(target());
    const first = patternBytes(1000, 1);
    const created = await probe.simpleUpload("simple.bin", first);
    expect(created.status).toBe(201);
    const item = itemOf(created);
    expect(item.size).toBe(first.length);
    expect(item.quickXorHash).toBe(quickXorHashOf(first));

    const second = patternBytes(1500, 2);
    const replaced = await probe.simpleUpload("simple.bin", second);
    expect(replaced.status).toBe(200);
    const after = itemOf(replaced);
    expect(after.id).toBe(item.id);
    expect(after.size).toBe(second.length);
    expect(after.quickXorHash).toBe(quickXorHashOf(second));
    probe.expectRequests(2);
  });

  // Field report: OneDrive/onedrive-api-docs#1704 (Microsoft: "an edge case with 0-byte files not generating a
  // quickXorHash value"; a fix was announced). Both answers are accepted; the annotation records which one
  // this target gave, so a live run tells whether the emulator's `zeroByteFilesHaveHash: false` still holds.
  it("an empty file by simple upload is created with size 0 and either no quickXorHash or the empty hash (field report)", async ({
    annotate,
  }) => {
    const probe = new Probe(target());
    const created = await probe.simpleUpload("empty.txt", new Uint8Array(0));
    expect(created.status).toBe(201);
    const item = itemOf(created);
    expect(item.size).toBe(0);
    if (item.quickXorHash !== undefined) expect(item.quickXorHash).toBe(quickXorHashOf(new Uint8Array(0)));
    await annotate(
      item.quickXorHash === undefined
        ? "0-byte file: no quickXorHash (as OneDrive/onedrive-api-docs#1704 reports)"
        : "0-byte file: has the empty quickXorHash (the #1704 fix is live here)",
    );
    probe.expectRequests(1);
  });
}
