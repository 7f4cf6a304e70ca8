import { randomBytes } from "node:crypto";
import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SourceChangedError } from "../../../src/core/ports/common.js";
import { quickXorHashOf } from "../../../src/core/shared/quickXorHash.js";
import { newJob } from "../../../src/core/upload/engine.js";
import { BlobSource } from "../../../src/sources/blob.js";
import { createSourceOpener } from "../../../src/sources/opener.js";
import { type RunningAzurite, startAzurite } from "../../support/azurite.js";
import { DRIVE, drive, KIB320, startWorld, type World } from "./support.js";

let azurite: RunningAzurite;
let service: BlobServiceClient;
let container: ContainerClient;
let world: World;

beforeAll(async () => {
  [azurite, world] = await Promise.all([startAzurite(), startWorld()]);
  service = BlobServiceClient.fromConnectionString(azurite.connectionString);
  container = service.getContainerClient("sources");
  await container.create();
});
afterAll(async () => {
  await Promise.all([azurite?.stop(), world?.close()]);
});

function blobJob(blob: string, path: string) {
  return newJob({
    jobId: `blob-${blob}`,
    requestId: "itest",
    source: { type: "blob", container: "sources", blob },
    destination: { type: "drive", driveId: DRIVE, path },
    conflictBehavior: "replace",
    chunkSize: KIB320,
    simpleUploadMax: 0,
    now: Date.now(),
  });
}

function blobDeps() {
  return {
    ...world.deps(),
    sources: createSourceOpener({
      requestTimeoutMs: 10_000,
      blobContainer: (name) => service.getContainerClient(name),
    }),
  };
}

describe("Azure Blob source (real Azurite)", () => {
  it("reads ranges with the ETag as fingerprint and uploads byte-identical", async () => {
    const bytes = randomBytes(3 * KIB320 + 77);
    await container.getBlockBlobClient("a.bin").uploadData(bytes);
    const run = await drive(blobJob("a.bin", "/blob/a.bin"), blobDeps());
    expect(run.job.status, JSON.stringify(run.job.lastError)).toBe("completed");
    expect(run.job.fingerprint?.version).toMatch(/^"?0x/);
    expect(run.job.result?.quickXorHash).toBe(quickXorHashOf(bytes));
    expect(world.emu.inspect.readItem(DRIVE, "/blob/a.bin")?.equals(bytes)).toBe(true);
  });

  it("a blob overwritten mid-upload is detected by If-Match and the new version uploaded", async () => {
    const blob = container.getBlockBlobClient("b.bin");
    await blob.uploadData(randomBytes(3 * KIB320 + 5));
    const deps = blobDeps();
    const run = await drive(blobJob("b.bin", "/blob/b.bin"), deps, (j) => j.confirmedOffset >= KIB320);
    const replacement = randomBytes(2 * KIB320 + 9);
    await blob.uploadData(replacement);
    await drive(run.job, deps, undefined, 100, run);
    expect(run.events).toContainEqual({ type: "source-changed", action: "restart" });
    expect(run.job.status).toBe("completed");
    expect(world.emu.inspect.readItem(DRIVE, "/blob/b.bin")?.equals(replacement)).toBe(true);
  });

  it("throws SourceChangedError for a stale fingerprint", async () => {
    await container.getBlockBlobClient("c.bin").uploadData(randomBytes(100));
    const source = new BlobSource(container, "c.bin", 10_000);
    const fp = await source.fingerprint();
    expect(Buffer.from(await source.read(10, 20, fp))).toHaveLength(20);
    await container.getBlockBlobClient("c.bin").uploadData(randomBytes(100));
    await expect(source.read(0, 10, fp)).rejects.toBeInstanceOf(SourceChangedError);
  });

  it("a missing blob fails the job naming the blob, never with an empty reason (issue 15 item 5)", async () => {
    const run = await drive(blobJob("missing.bin", "/blob/missing.bin"), blobDeps());
    expect(run.job.status).toBe("failed");
    expect(run.job.lastError?.message).toBe(
      "cannot read the source: blob sources/missing.bin does not exist",
    );
    await expect(
      new BlobSource(service.getContainerClient("nope"), "x.bin", 10_000).fingerprint(),
    ).rejects.toThrow("blob nope/x.bin does not exist");
  });
});
