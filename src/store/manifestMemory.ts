/** In-memory twin of the Table Storage manifest (src/store/manifestTable.ts); also the CLI's local state. */
import type { ManifestEntry, ManifestStore, PendingMirrorJob } from "../core/ports/mirror.js";

export interface ManifestSnapshot {
  readonly entries: readonly ManifestEntry[];
  readonly pending: readonly PendingMirrorJob[];
}

export class MemoryManifestStore implements ManifestStore {
  private readonly entries = new Map<string, Map<string, ManifestEntry>>();
  private readonly pending = new Map<string, PendingMirrorJob>();

  constructor(snapshot?: ManifestSnapshot) {
    for (const entry of snapshot?.entries ?? []) this.putSync(entry);
    for (const job of snapshot?.pending ?? []) this.pending.set(job.jobId, job);
  }

  async list(mirror: string, destination: string): Promise<ManifestEntry[]> {
    return [...(this.entries.get(partition(mirror, destination))?.values() ?? [])];
  }

  async put(entry: ManifestEntry): Promise<void> {
    this.putSync(entry);
  }

  async remove(mirror: string, destination: string, path: string): Promise<void> {
    this.entries.get(partition(mirror, destination))?.delete(path);
  }

  async trackJob(pending: PendingMirrorJob): Promise<void> {
    this.pending.set(pending.jobId, pending);
  }

  async findJob(jobId: string): Promise<PendingMirrorJob | undefined> {
    return this.pending.get(jobId);
  }

  async untrackJob(jobId: string): Promise<void> {
    this.pending.delete(jobId);
  }

  async listPending(mirror: string): Promise<PendingMirrorJob[]> {
    return [...this.pending.values()].filter((p) => p.mirror === mirror);
  }

  snapshot(): ManifestSnapshot {
    return {
      entries: [...this.entries.values()].flatMap((m) => [...m.values()]),
      pending: [...this.pending.values()],
    };
  }

  private putSync(entry: ManifestEntry): void {
    const key = partition(entry.mirror, entry.destination);
    let rows = this.entries.get(key);
    if (!rows) {
      rows = new Map();
      this.entries.set(key, rows);
    }
    rows.set(entry.path, entry);
  }
}

function partition(mirror: string, destination: string): string {
  return `${mirror}\u0000${destination}`;
}
