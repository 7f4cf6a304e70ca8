/**
 * Keeps each drive's throttle state in memory for a short time, so a step does not pay a table read for it
 * every time (the read is one of about seven storage calls per step; docs/pipeline.md "Throttling").
 * Blocks this instance records are visible to it at once; a block recorded by another instance is noticed at
 * most `ttlMs` late, which costs at most one early request per job, never a lost or doubled upload.
 */
import type { Clock } from "../core/ports/common.js";
import type { ThrottleStore } from "../core/ports/stores.js";

export const DEFAULT_THROTTLE_CACHE_MS = 2_000;

export class CachedThrottleStore implements ThrottleStore {
  private readonly cache = new Map<string, { until: number; readAt: number }>();

  constructor(
    private readonly inner: ThrottleStore,
    private readonly clock: Clock,
    private readonly ttlMs = DEFAULT_THROTTLE_CACHE_MS,
  ) {}

  async blockedUntil(driveId: string): Promise<number> {
    const now = this.clock.now();
    const cached = this.cache.get(driveId);
    if (cached && now - cached.readAt < this.ttlMs) return cached.until;
    const until = await this.inner.blockedUntil(driveId);
    this.cache.set(driveId, { until, readAt: now });
    return until;
  }

  async block(driveId: string, until: number): Promise<void> {
    await this.inner.block(driveId, until);
    const cached = this.cache.get(driveId);
    if (!cached || cached.until < until) this.cache.set(driveId, { until, readAt: this.clock.now() });
  }
}
