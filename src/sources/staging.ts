/**
 * Staging for `POST /api/uploads?to=...&name=...` bodies: the bytes are streamed into a block blob as they arrive
 * (at most `bufferSize x concurrency` bytes in memory, never the whole body), and the jobs then read that blob
 * like any other `blob` source. A body over the limit, or a broken connection, leaves no blob behind: the block
 * list is only committed after the last byte (uncommitted blocks are discarded by the service after 7 days).
 */
import { Readable, Transform, type TransformCallback } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import type { ContainerClient } from "@azure/storage-blob";

export interface StagedBlob {
  readonly container: string;
  readonly blob: string;
  readonly size: number;
}

export interface StagingArea {
  readonly container: string;
  /** Streams `body` into a new blob named after the request; throws StagingTooLargeError above the limit. */
  stage(
    requestId: string,
    fileName: string,
    body: WebReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
    signal?: AbortSignal,
  ): Promise<StagedBlob>;
}

export class StagingTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`the body is larger than the limit of ${limit} bytes (STAGING_MAX_BYTES)`);
    this.name = "StagingTooLargeError";
  }
}

export interface BlobStagingOptions {
  readonly maxBytes: number;
  /** Deadline for the whole body. Azure answers HTTP requests for at most 230 s (docs/platform.md). */
  readonly timeoutMs: number;
  /** Block size and parallel block uploads: memory is bounded by their product. */
  readonly bufferSize?: number;
  readonly concurrency?: number;
}

const MiB = 1024 * 1024;

export class BlobStagingArea implements StagingArea {
  readonly container: string;
  private ready: Promise<unknown> | undefined;

  constructor(
    private readonly client: ContainerClient,
    private readonly options: BlobStagingOptions,
  ) {
    this.container = client.containerName;
  }

  async stage(
    requestId: string,
    fileName: string,
    body: WebReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
    signal?: AbortSignal,
  ): Promise<StagedBlob> {
    const deadline = AbortSignal.timeout(this.options.timeoutMs);
    const abortSignal = signal ? AbortSignal.any([signal, deadline]) : deadline;
    this.ready ??= this.client.createIfNotExists({ abortSignal }).catch((err: unknown) => {
      this.ready = undefined;
      throw err;
    });
    await this.ready;

    const blob = `${requestId}/${fileName}`;
    const limiter = new ByteLimit(this.options.maxBytes);
    const source = Readable.from(body as AsyncIterable<Uint8Array>, { objectMode: false });
    source.on("error", (err) => limiter.destroy(err));
    source.pipe(limiter);
    try {
      await this.client
        .getBlockBlobClient(blob)
        .uploadStream(limiter, this.options.bufferSize ?? 4 * MiB, this.options.concurrency ?? 2, {
          abortSignal,
          blobHTTPHeaders: { blobContentType: "application/octet-stream" },
        });
    } catch (err: unknown) {
      source.destroy();
      // The SDK reports a failed source stream under its own error; the size limit is what the caller must see.
      if (limiter.exceeded) throw new StagingTooLargeError(this.options.maxBytes);
      throw err;
    }
    return { container: this.container, blob, size: limiter.count };
  }
}

/** Passes bytes through and fails the stream as soon as more than `limit` bytes went by. */
class ByteLimit extends Transform {
  count = 0;
  exceeded = false;

  constructor(private readonly limit: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.count += chunk.length;
    if (this.count > this.limit) {
      this.exceeded = true;
      callback(new StagingTooLargeError(this.limit));
      return;
    }
    callback(null, chunk);
  }
}
