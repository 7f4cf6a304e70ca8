/**
 * Octet-stream bodies are streamed into a staging blob in real Azurite, never held whole in memory, and a body
 * over the limit leaves no blob behind.
 */
import { createHash } from "node:crypto";
import v8 from "node:v8";
import vm from "node:vm";
import { BlobServiceClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BlobStagingArea, StagingTooLargeError } from "../../../src/sources/staging.js";
import { type RunningAzurite, startAzurite } from "../../support/azurite.js";

const MiB = 1024 * 1024;
let azurite: RunningAzurite;

beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

/** A deterministic byte stream of `size` bytes in 1 MiB pieces, hashed as it is produced. */
function generated(size: number, hash: ReturnType<typeof createHash>): AsyncIterable<Uint8Array> {
  return (async function* () {
    let sent = 0;
    let n = 0;
    while (sent < size) {
      const piece = Buffer.alloc(Math.min(MiB, size - sent), n++ % 251);
      hash.update(piece);
      sent += piece.length;
      yield piece;
    }
  })();
}

function container(name: string) {
  return BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(name);
}

describe("BlobStagingArea", () => {
  it("streams a 96 MiB body into a blob with bounded memory", async () => {
    const staging = new BlobStagingArea(container("staging-a"), { maxBytes: 200 * MiB, timeoutMs: 60_000 });
    const sent = createHash("sha256");
    // Live memory, not garbage: collect before every sample (gc exposed at run time, no special flags needed).
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc") as () => void;
    gc();
    const before = process.memoryUsage();
    let peak = 0;
    const sampler = setInterval(() => {
      gc();
      const now = process.memoryUsage();
      peak = Math.max(peak, now.heapUsed + now.arrayBuffers - (before.heapUsed + before.arrayBuffers));
    }, 25);
    const staged = await staging.stage("req-1", "big.bin", generated(96 * MiB, sent));
    clearInterval(sampler);
    expect(staged).toEqual({ container: "staging-a", blob: "req-1/big.bin", size: 96 * MiB });
    // 4 MiB blocks x 2 in flight, plus stream buffers: far below the body size.
    console.log(`staging 96 MiB: peak live memory ${(peak / MiB).toFixed(1)} MiB`);
    expect(peak).toBeLessThan(32 * MiB);

    const download = await container("staging-a").getBlobClient("req-1/big.bin").download();
    const received = createHash("sha256");
    for await (const chunk of download.readableStreamBody ?? []) received.update(chunk as Buffer);
    expect(received.digest("hex")).toBe(sent.digest("hex"));
  });

  it("refuses a body over the limit and leaves no blob", async () => {
    const staging = new BlobStagingArea(container("staging-b"), { maxBytes: 5 * MiB, timeoutMs: 60_000 });
    await expect(
      staging.stage("req-2", "too-big.bin", generated(9 * MiB, createHash("sha256"))),
    ).rejects.toThrow(StagingTooLargeError);
    expect(await container("staging-b").getBlobClient("req-2/too-big.bin").exists()).toBe(false);
  });

  it("stages an empty body as an empty blob", async () => {
    const staging = new BlobStagingArea(container("staging-c"), { maxBytes: MiB, timeoutMs: 60_000 });
    const staged = await staging.stage("req-3", "empty.bin", generated(0, createHash("sha256")));
    expect(staged.size).toBe(0);
    const props = await container("staging-c").getBlobClient("req-3/empty.bin").getProperties();
    expect(props.contentLength).toBe(0);
  });
});
