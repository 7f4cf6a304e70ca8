/**
 * Lists a `url` source: each https URL is one file, named by `name` or by the last segment of the URL's path.
 * The fingerprint comes from the URL source itself (ETag or Last-Modified plus size), through the same network
 * guard that refuses private and metadata addresses (src/sources/urlSource.ts).
 */

import type { ByteSource } from "../../core/ports/common.js";
import type { SourceEntry, SourceLister, SourceListing } from "../../core/ports/mirror.js";

export interface UrlItem {
  readonly url: string;
  readonly name?: string;
}

export class UrlLister implements SourceLister {
  readonly description: string;

  constructor(
    private readonly items: readonly UrlItem[],
    private readonly open: (url: string) => ByteSource,
    private readonly accept: (relativePath: string) => boolean = () => true,
  ) {
    this.description = `${items.length} URL${items.length === 1 ? "" : "s"}`;
  }

  async list(signal: AbortSignal): Promise<SourceListing> {
    const entries: SourceEntry[] = [];
    const errors: string[] = [];
    for (const item of this.items) {
      const name = item.name ?? fileNameOf(item.url);
      if (!this.accept(name)) continue;
      const source = this.open(item.url);
      try {
        const fingerprint = await source.fingerprint(signal);
        entries.push({ path: name, ref: { type: "url", url: item.url }, fingerprint });
      } catch (err: unknown) {
        // One unreachable URL must not stop the others; the message names the URL without its query.
        const message = err instanceof Error ? err.message : String(err);
        errors.push(message.includes(source.description) ? message : `${source.description}: ${message}`);
      }
    }
    return { entries, errors };
  }
}

export function fileNameOf(url: string): string {
  const segments = new URL(url).pathname.split("/").filter((s) => s !== "");
  const last = segments[segments.length - 1];
  return last ? decodeURIComponent(last) : new URL(url).hostname;
}
