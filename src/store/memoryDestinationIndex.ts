/** In-memory twin of TableDestinationIndex: same conditional writes, kept honest by the contract suite. */
import {
  ConcurrencyError,
  type DestinationEntry,
  type DestinationHolder,
  type DestinationIndex,
} from "../core/ports/stores.js";

export class MemoryDestinationIndex implements DestinationIndex {
  private readonly rows = new Map<string, DestinationEntry>();
  private etagCounter = 0;

  async get(key: string): Promise<DestinationEntry | undefined> {
    const entry = this.rows.get(key);
    return entry ? structuredClone(entry) : undefined;
  }

  async put(key: string, holder: DestinationHolder, etag?: string): Promise<void> {
    const current = this.rows.get(key);
    if (etag === undefined ? current !== undefined : current?.etag !== etag)
      throw new ConcurrencyError(holder.jobId);
    this.etagCounter += 1;
    this.rows.set(key, { holder: { ...holder }, etag: `W/"dest-${this.etagCounter}"` });
  }
}
