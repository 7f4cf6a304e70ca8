import { BlobServiceClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { globFilter } from "../../../src/mirror/globFilter.js";
import { BlobLister } from "../../../src/mirror/sources/blobLister.js";
import { BlobSource } from "../../../src/sources/blob.js";
import { type RunningAzurite, startAzurite } from "../../support/azurite.js";

describe("blob source listing on Azurite", () => {
  let azurite: RunningAzurite;
  beforeAll(async () => {
    azurite = await startAzurite();
  });
  afterAll(async () => {
    await azurite?.stop();
  });

  it("lists blobs under a prefix with paths relative to the prefix's folder and the engine's fingerprint", async () => {
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(
      "exports",
    );
    await container.create();
    for (const name of ["daily/a.csv", "daily/sub/b.csv", "daily/skip.tmp", "weekly/c.csv", "daily-x.csv"]) {
      await container.getBlockBlobClient(name).upload(name, name.length);
    }
    const lister = new BlobLister(container, "daily/", globFilter(["**"], ["*.tmp"]));
    const listing = await lister.list(AbortSignal.timeout(10_000));
    expect(listing.entries.map((e) => [e.path, e.ref])).toEqual([
      ["a.csv", { type: "blob", container: "exports", blob: "daily/a.csv" }],
      ["sub/b.csv", { type: "blob", container: "exports", blob: "daily/sub/b.csv" }],
    ]);
    // The same fingerprint the engine's blob source computes, so "unchanged" means unchanged.
    const source = new BlobSource(container, "daily/a.csv", 10_000);
    expect(listing.entries[0]?.fingerprint).toEqual(await source.fingerprint());
  });
});
