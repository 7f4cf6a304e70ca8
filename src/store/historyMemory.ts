/** In-memory twin of the Table Storage history (src/store/historyTable.ts); also the CLI's local state. */
import {
  type HistoryQuery,
  type HistoryRecord,
  type HistoryStore,
  newestRecordsFirst,
  newestRunsFirst,
  type RunQuery,
  type RunRecord,
} from "../core/ports/mirror.js";

export interface HistorySnapshot {
  readonly records: readonly HistoryRecord[];
  readonly runs: readonly RunRecord[];
}

export class MemoryHistoryStore implements HistoryStore {
  private readonly recordsByKey = new Map<string, HistoryRecord>();
  private readonly runsByKey = new Map<string, RunRecord>();

  constructor(snapshot?: HistorySnapshot) {
    for (const record of snapshot?.records ?? []) this.recordsByKey.set(recordKey(record), record);
    for (const run of snapshot?.runs ?? []) this.runsByKey.set(`${run.mirror}\u0000${run.runId}`, run);
  }

  async append(record: HistoryRecord): Promise<void> {
    this.recordsByKey.set(recordKey(record), record);
  }

  async recordRun(run: RunRecord): Promise<void> {
    this.runsByKey.set(`${run.mirror}\u0000${run.runId}`, run);
  }

  async recentRuns(options: RunQuery): Promise<RunRecord[]> {
    const runs = [...this.runsByKey.values()].filter(
      (r) => options.mirror === undefined || r.mirror === options.mirror,
    );
    return newestRunsFirst(runs, options.limit);
  }

  async records(options: HistoryQuery): Promise<HistoryRecord[]> {
    const { mirror, runId, since } = options;
    const records = [...this.recordsByKey.values()].filter(
      (r) =>
        (mirror === undefined || r.mirror === mirror) &&
        (runId === undefined || r.runId === runId) &&
        (since === undefined || r.finishedAt >= since),
    );
    return newestRecordsFirst(records, options.limit);
  }

  snapshot(): HistorySnapshot {
    return { records: [...this.recordsByKey.values()], runs: [...this.runsByKey.values()] };
  }
}

function recordKey(record: HistoryRecord): string {
  return `${record.mirror}\u0000${record.key}\u0000${record.finishedAt}`;
}
