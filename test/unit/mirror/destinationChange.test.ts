import { describe, expect, it } from "vitest";
import type { ManifestEntry, RemoteItem } from "../../../src/core/ports/mirror.js";
import { changeByOthers, deletionPrecondition } from "../../../src/mirror/destinationChange.js";

const recorded: ManifestEntry = {
  mirror: "m",
  destination: "d",
  path: "a.jpg",
  source: { size: 10, version: "v1" },
  driveId: "drive",
  itemId: "item-1",
  eTag: '"{G},1"',
  cTag: '"c:{G},1"',
  quickXorHash: "hash-1",
  size: 10,
  uploadedAt: 1,
};
const remote: RemoteItem = {
  id: "item-1",
  name: "a.jpg",
  eTag: '"{G},1"',
  cTag: '"c:{G},1"',
  quickXorHash: "hash-1",
  size: 10,
  isFolder: false,
};
/** A manifest entry written before cTags were recorded. */
const { cTag: _dropped, ...legacy } = recorded;

describe("changeByOthers: content decides, never the eTag", () => {
  it("a new eTag alone (metadata extraction, property promotion) is the service's, not someone else's", () => {
    expect(changeByOthers(recorded, { ...remote, eTag: '"{G},2"' })).toBeUndefined();
  });

  it("another item, a new cTag, size or hash is someone else's", () => {
    expect(changeByOthers(recorded, { ...remote, id: "item-2" })).toBe("another item is at that path now");
    expect(changeByOthers(recorded, { ...remote, cTag: '"c:{G},2"' })).toContain("cTag");
    expect(changeByOthers(recorded, { ...remote, size: 11 })).toContain("size changed (10 -> 11 bytes)");
    expect(changeByOthers(recorded, { ...remote, quickXorHash: "hash-2" })).toContain("hash");
  });

  it("compares a hash or cTag only when both sides have one", () => {
    const { quickXorHash: _h, cTag: _c, ...bare } = remote;
    expect(changeByOthers(recorded, { ...bare, eTag: '"{G},5"' })).toBeUndefined();
    const { quickXorHash: _k, ...noHash } = recorded;
    expect(changeByOthers(noHash, { ...remote, quickXorHash: "anything" })).toBeUndefined();
  });

  it("old manifest entries (no cTag): the same item with the same size and hash is ours despite a new eTag", () => {
    expect(changeByOthers(legacy, { ...remote, eTag: '"{G},7"', cTag: '"c:{G},7"' })).toBeUndefined();
    expect(changeByOthers(legacy, { ...remote, eTag: '"{G},7"', quickXorHash: "hash-2" })).toContain("hash");
    expect(changeByOthers(legacy, { ...remote, id: "item-2" })).toBe("another item is at that path now");
    const { quickXorHash: _h, ...noHash } = legacy;
    expect(changeByOthers(noHash, { ...remote, eTag: '"{G},7"' })).toBeUndefined();
    expect(changeByOthers(noHash, { ...remote, eTag: '"{G},7"', size: 12 })).toContain("size");
  });
});

describe("deletionPrecondition", () => {
  it("is the recorded cTag, else the item's current cTag, else its eTag", () => {
    expect(deletionPrecondition(recorded, { ...remote, eTag: '"{G},3"' })).toBe('"c:{G},1"');
    expect(deletionPrecondition(legacy, { ...remote, cTag: '"c:{G},4"' })).toBe('"c:{G},4"');
    const { cTag: _c, ...noCTag } = remote;
    expect(deletionPrecondition(legacy, noCTag)).toBe('"{G},1"');
  });
});
