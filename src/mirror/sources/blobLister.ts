/**
 * Lists a `blob` source: every blob of a container under a prefix. The mirrored path is the blob name without
 * the prefix's folder part (`prefix: "exports/daily-"` keeps `daily-01.csv`). The fingerprint is the blob's size
 * and ETag, the version the engine's blob source checks on every read (docs/design.md invariant 1).
 */
import type { ContainerClient } from "@azure/storage-blob";
import type { SourceEntry, SourceLister, SourceListing } from "../../core/ports/mirror.js";

const PAGE_SIZE = 5000;

export class BlobLister implements SourceLister {
  readonly description: string;

  constructor(
    private readonly container: ContainerClient,
    private readonly prefix: string,
    private readonly accept: (relativePath: string) => boolean = () => true,
  ) {
    this.description = `blob:${container.containerName}/${prefix}`;
  }

  async list(signal: AbortSignal): Promise<SourceListing> {
    const folder = this.prefix.slice(0, this.prefix.lastIndexOf("/") + 1);
    const entries: SourceEntry[] = [];
    const pages = this.container
      .listBlobsFlat({ prefix: this.prefix, abortSignal: signal })
      .byPage({ maxPageSize: PAGE_SIZE });
    for await (const page of pages) {
      for (const blob of page.segment.blobItems) {
        const relative = blob.name.slice(folder.length).replace(/^\/+/, "");
        if (relative === "" || relative.endsWith("/") || !this.accept(relative)) continue;
        const etag = quoted(blob.properties.etag);
        if (!etag) continue;
        entries.push({
          path: relative,
          ref: { type: "blob", container: this.container.containerName, blob: blob.name },
          fingerprint: { size: blob.properties.contentLength ?? 0, version: etag },
        });
      }
    }
    return { entries, errors: [] };
  }
}

/**
 * List Blobs returns the ETag bare (`0x8D...`, in the XML body) while Get Blob Properties returns the HTTP header
 * form (`"0x8D..."`), which is what the engine's blob source records and sends as If-Match. Use the header form.
 */
function quoted(etag: string | undefined): string | undefined {
  if (!etag) return undefined;
  return etag.startsWith('"') || etag.startsWith("W/") ? etag : `"${etag}"`;
}
