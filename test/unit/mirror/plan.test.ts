import { describe, expect, it } from "vitest";
import type { ManifestEntry, RemoteItem, SourceEntry } from "../../../src/core/ports/mirror.js";
import { globFilter } from "../../../src/mirror/globFilter.js";
import { type PlanInput, planDestination } from "../../../src/mirror/plan.js";

const entry = (path: string, size = 10, version = "v1"): SourceEntry => ({
  path,
  ref: { type: "file", path: `/src/${path}` },
  fingerprint: { size, version },
});
const known = (path: string, size = 10, version = "v1", eTag = "e1"): ManifestEntry => ({
  mirror: "m",
  destination: "d",
  path,
  source: { size, version },
  driveId: "drive",
  itemId: `id-${path}`,
  eTag,
  cTag: "c1",
  quickXorHash: "h1",
  size,
  uploadedAt: 1,
});

function input(overrides: Partial<PlanInput>, remote: Record<string, RemoteItem> = {}) {
  const lookups: string[] = [];
  const base: PlanInput = {
    entries: [],
    manifest: [],
    pendingPaths: new Set(),
    policy: "skip-and-report",
    conflictBehavior: "replace",
    propagateDeletes: false,
    remoteItem: async (path) => {
      lookups.push(path);
      return remote[path];
    },
  };
  return { input: { ...base, ...overrides }, lookups };
}

/** The destination copy as we left it; `eTag` can differ without the content changing (the service's own). */
const ours = (path: string, eTag = "e1"): RemoteItem => ({
  id: `id-${path}`,
  name: path,
  eTag,
  cTag: "c1",
  quickXorHash: "h1",
  size: 10,
  isFolder: false,
});
/** Someone else wrote new content: new eTag and cTag (and here a new hash). */
const edited = (path: string): RemoteItem => ({ ...ours(path, "e9"), cTag: "c9", quickXorHash: "h9" });

describe("planDestination", () => {
  it("plans nothing and reads nothing when every file is unchanged", async () => {
    const { input: i, lookups } = input({
      entries: [entry("a"), entry("b")],
      manifest: [known("a"), known("b")],
      propagateDeletes: true,
    });
    const plan = await planDestination(i);
    expect(plan.uploads).toEqual([]);
    expect(plan.unchanged).toBe(2);
    expect(lookups).toEqual([]);
  });

  it("uploads new files with the mirror's conflict behaviour, without reading the destination", async () => {
    const { input: i, lookups } = input({ entries: [entry("a")], conflictBehavior: "fail" });
    const plan = await planDestination(i);
    expect(plan.uploads.map((u) => [u.entry.path, u.reason, u.conflictBehavior])).toEqual([
      ["a", "new", "fail"],
    ]);
    expect(lookups).toEqual([]);
  });

  it("replaces a changed file of ours when nobody else touched the destination copy's content", async () => {
    // A new eTag with the same cTag and content: the service's own metadata change, not someone else's edit.
    const { input: i } = input(
      { entries: [entry("a", 12, "v2")], manifest: [known("a")] },
      { a: ours("a", "e-bumped-by-the-service") },
    );
    const plan = await planDestination(i);
    expect(plan.uploads[0]).toMatchObject({ reason: "changed", conflictBehavior: "replace" });
    expect(plan.uploads[0]?.detail).toBe("changed (size 10 -> 12 bytes)");
  });

  it("applies each policy when someone else changed the destination copy", async () => {
    const changed = { a: edited("a") };
    const setup = { entries: [entry("a", 10, "v2")], manifest: [known("a")] };
    const skip = await planDestination(input({ ...setup, policy: "skip-and-report" }, changed).input);
    expect(skip.uploads).toEqual([]);
    expect(skip.conflicts[0]?.detail).toContain("skip-and-report");
    const both = await planDestination(input({ ...setup, policy: "keep-both" }, changed).input);
    expect(both.uploads[0]).toMatchObject({ reason: "destination-changed", conflictBehavior: "rename" });
    const { input: over, lookups } = input({ ...setup, policy: "overwrite" }, changed);
    const overwrite = await planDestination(over);
    expect(overwrite.uploads[0]).toMatchObject({ conflictBehavior: "replace" });
    expect(lookups).toEqual([]);
    // Another item at the same path (deleted and re-created by someone) counts as changed too.
    const replaced = { a: { ...ours("a"), id: "someone-elses" } };
    expect((await planDestination(input(setup, replaced).input)).conflicts).toHaveLength(1);
  });

  it("skips files whose earlier job is still running", async () => {
    const { input: i } = input({
      entries: [entry("a", 11)],
      manifest: [known("a")],
      pendingPaths: new Set(["a"]),
    });
    const plan = await planDestination(i);
    expect(plan.inProgress).toBe(1);
    expect(plan.uploads).toEqual([]);
  });

  it("propagates deletions only when asked, and respects changes by others", async () => {
    const manifest = [known("gone"), known("theirs"), known("vanished")];
    const remote = { gone: ours("gone", "e2"), theirs: edited("theirs") };
    const off = await planDestination(input({ manifest }, remote).input);
    expect(off.deletions).toEqual([]);
    const on = await planDestination(input({ manifest, propagateDeletes: true }, remote).input);
    // Conditional on the recorded cTag, not the eTag the service may bump on its own.
    expect(on.deletions.map((d) => [d.manifest.path, d.ifMatch])).toEqual([["gone", "c1"]]);
    expect(on.conflicts.map((c) => [c.path, c.forget])).toEqual([["theirs", true]]);
    expect(on.forget).toEqual(["vanished"]);
    const overwrite = await planDestination(
      input({ manifest, propagateDeletes: true, policy: "overwrite" }).input,
    );
    expect(overwrite.deletions.map((d) => d.manifest.path)).toEqual(["gone", "theirs", "vanished"]);
  });

  it("reports names that differ only in case instead of uploading both", async () => {
    const plan = await planDestination(input({ entries: [entry("A.txt"), entry("a.txt")] }).input);
    expect(plan.uploads).toHaveLength(1);
    expect(plan.errors[0]).toContain("case-insensitive");
  });
});

describe("globFilter", () => {
  it("includes by default, excludes what matches, and sees dot files", () => {
    const accept = globFilter(["**"], ["**/*.tmp", "cache/**"]);
    expect(accept("a/b.json")).toBe(true);
    expect(accept(".hidden")).toBe(true);
    expect(accept("x/y.tmp")).toBe(false);
    expect(accept("cache/z.bin")).toBe(false);
    const onlyJson = globFilter(["*.json"], []);
    expect(onlyJson("status.json")).toBe(true);
    expect(onlyJson("sub/status.json")).toBe(false);
  });
});
