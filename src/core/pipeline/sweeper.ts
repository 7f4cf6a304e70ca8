/**
 * The sweeper (a timer, every few minutes) re-wakes jobs that are active, unleased (or whose lease expired)
 * and overdue: that covers a crash between "row written" and "continuation sent", a lost or expired message,
 * and a worker that died holding the lease (docs/design.md invariant 3; docs/pipeline.md "The sweeper").
 *
 * Each re-wake bumps wakeSeq with a conditional write before sending, so a continuation that was merely slow
 * becomes stale and is dropped: re-waking never makes two workers run one step.
 */
import { isTerminal } from "../job/job.js";
import type { Clock } from "../ports/common.js";
import { ConcurrencyError, type JobStore, type WakeQueue } from "../ports/stores.js";
import { wakeMessageFor } from "./lease.js";
import { type PipelineLog, silentLog } from "./pipelineLog.js";

export interface SweeperDeps {
  readonly store: JobStore;
  readonly queue: WakeQueue;
  readonly clock: Clock;
  /** How far past its wake time (and its lease's end) a job must be before it counts as overdue. */
  readonly graceMs: number;
  readonly batch: number;
  readonly log?: PipelineLog;
}

export interface SweepReport {
  readonly woken: number;
  /** Rows that changed between listing and re-waking (someone else is on them). */
  readonly raced: number;
  readonly failed: number;
}

export async function sweep(deps: SweeperDeps): Promise<SweepReport> {
  const log = deps.log ?? silentLog;
  const now = deps.clock.now();
  const overdue = await deps.store.listOverdue(now - deps.graceMs, deps.batch);
  let woken = 0;
  let raced = 0;
  let failed = 0;
  for (const row of overdue) {
    if (isTerminal(row.job.status)) continue;
    const ctx = { jobId: row.job.jobId, requestId: row.job.requestId };
    try {
      // The expired lease stays on the row: the next worker must know the previous one died mid-step.
      const { etag, ...rest } = row;
      const written = await deps.store.replace(
        { ...rest, job: { ...row.job, nextWakeAt: now }, wakeSeq: row.wakeSeq + 1 },
        etag,
      );
      await deps.queue.send(wakeMessageFor(written), 0);
      woken += 1;
      log({
        event: "sweeper-rewoke",
        ...ctx,
        wakeSeq: written.wakeSeq,
        overdueMs: now - (row.job.nextWakeAt ?? 0),
      });
    } catch (err: unknown) {
      if (err instanceof ConcurrencyError) {
        raced += 1;
        continue;
      }
      // One bad row must not stop the sweep; the next run tries again.
      failed += 1;
      log({ event: "sweeper-error", ...ctx, error: err instanceof Error ? err.name : "unknown" });
    }
  }
  if (overdue.length > 0) log({ event: "sweep-done", found: overdue.length, woken, raced, failed });
  return { woken, raced, failed };
}
