/**
 * One throttling row per drive (docs/design.md "Habits": one 429 slows every job writing to that drive). The row only
 * ever moves forward in time: `block` is a read-modify-write conditional on the ETag, retried on a lost race.
 */
import type { TableClient } from "@azure/data-tables";
import type { ThrottleStore } from "../core/ports/stores.js";
import { int64, readInt64 } from "./int64.js";
import { httpStatusOf } from "./restError.js";
import { tableKey } from "./tableKeys.js";

const ROW = "throttle";
const MAX_ATTEMPTS = 5;

export class TableThrottleStore implements ThrottleStore {
  constructor(
    private readonly table: TableClient,
    private readonly deadlineMs = 30_000,
  ) {}

  async blockedUntil(driveId: string): Promise<number> {
    return (await this.read(driveId))?.until ?? 0;
  }

  async block(driveId: string, until: number): Promise<void> {
    const partitionKey = tableKey(driveId);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = await this.read(driveId);
      if (current && current.until >= until) return;
      const entity = { partitionKey, rowKey: ROW, driveId, until: int64(until) };
      try {
        if (current)
          await this.table.updateEntity(entity, "Replace", { etag: current.etag, ...this.options() });
        else await this.table.createEntity(entity, this.options());
        return;
      } catch (err: unknown) {
        const status = httpStatusOf(err);
        if (status !== 412 && status !== 409) throw err;
      }
    }
    throw new Error(`could not record the throttling of drive ${driveId}: too many concurrent writers`);
  }

  private async read(driveId: string): Promise<{ until: number; etag: string } | undefined> {
    try {
      const entity = await this.table.getEntity(tableKey(driveId), ROW, this.options());
      return { until: readInt64(entity.until) ?? 0, etag: entity.etag };
    } catch (err: unknown) {
      if (httpStatusOf(err) === 404) return undefined;
      throw err;
    }
  }

  private options(): { abortSignal: AbortSignal } {
    return { abortSignal: AbortSignal.timeout(this.deadlineMs) };
  }
}
