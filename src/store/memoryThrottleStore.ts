/** In-memory twin of TableThrottleStore. */
import type { ThrottleStore } from "../core/ports/stores.js";

export class MemoryThrottleStore implements ThrottleStore {
  private readonly until = new Map<string, number>();

  async blockedUntil(driveId: string): Promise<number> {
    return this.until.get(driveId) ?? 0;
  }

  async block(driveId: string, until: number): Promise<void> {
    if (until > (this.until.get(driveId) ?? 0)) this.until.set(driveId, until);
  }
}
