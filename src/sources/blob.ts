/**
 * An Azure Blob read with range downloads, one chunk at a time. Fingerprint = size + ETag; every range read
 * carries `ifMatch: <ETag>`, so a blob overwritten mid-upload answers 412 and surfaces as SourceChangedError
 * instead of mixing two versions' bytes (docs/design.md invariant 1).
 */
import type { ContainerClient } from "@azure/storage-blob";
import { type ByteSource, SourceChangedError, type SourceFingerprint } from "../core/ports/common.js";
import { httpStatusOf } from "../store/restError.js";
import { readBuffer } from "./readBuffer.js";

export class BlobSource implements ByteSource {
  readonly description: string;

  constructor(
    private readonly container: ContainerClient,
    private readonly blobName: string,
    private readonly timeoutMs: number,
  ) {
    this.description = `blob:${container.containerName}/${blobName}`;
  }

  async fingerprint(signal?: AbortSignal): Promise<SourceFingerprint> {
    try {
      const props = await this.container.getBlobClient(this.blobName).getProperties({
        abortSignal: this.deadline(signal),
      });
      return { size: props.contentLength ?? 0, version: props.etag ?? "" };
    } catch (err: unknown) {
      throw this.explained(err);
    }
  }

  /**
   * A HEAD has no error body, so the SDK's error for a missing blob has an empty message, and a job failed
   * with "cannot read the source: " and nothing after it (issue 15 item 5): name the blob and what is wrong.
   */
  private explained(err: unknown): unknown {
    const status = httpStatusOf(err);
    const where = `blob ${this.container.containerName}/${this.blobName}`;
    if (status === 404) return new Error(`${where} does not exist`);
    if (status === 403) return new Error(`${where} cannot be read with this storage account's credentials`);
    const message = err instanceof Error ? err.message.trim() : "";
    if (message) return err;
    return new Error(`${where} could not be read${status !== undefined ? ` (HTTP ${status})` : ""}`);
  }

  async read(
    offset: number,
    length: number,
    expected: SourceFingerprint,
    signal?: AbortSignal,
    into?: Uint8Array,
  ): Promise<Uint8Array> {
    const buffer = readBuffer(into, length);
    try {
      await this.container.getBlobClient(this.blobName).downloadToBuffer(buffer, offset, length, {
        abortSignal: this.deadline(signal),
        conditions: { ifMatch: expected.version },
        maxRetryRequestsPerBlock: 3,
      });
    } catch (err: unknown) {
      const status = err instanceof Error && "statusCode" in err ? err.statusCode : undefined;
      if (status === 412 || status === 404) {
        throw new SourceChangedError(this.description, expected, await this.currentFingerprint(signal));
      }
      throw err;
    }
    return buffer;
  }

  private async currentFingerprint(signal?: AbortSignal): Promise<SourceFingerprint | undefined> {
    try {
      return await this.fingerprint(signal);
    } catch {
      return undefined;
    }
  }

  private deadline(signal?: AbortSignal): AbortSignal {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    return signal ? AbortSignal.any([signal, timeout]) : timeout;
  }
}
