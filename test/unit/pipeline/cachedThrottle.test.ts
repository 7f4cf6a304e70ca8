import { describe, expect, it } from "vitest";
import { CachedThrottleStore } from "../../../src/store/cachedThrottleStore.js";
import { MemoryThrottleStore } from "../../../src/store/memoryThrottleStore.js";
import { ManualClock } from "../../support/pipeline/manualClock.js";
import { describeThrottleStoreContract } from "../../support/pipeline/storeContract.js";

describeThrottleStoreContract(
  "cached over memory",
  async () => new CachedThrottleStore(new MemoryThrottleStore(), new ManualClock()),
);

describe("CachedThrottleStore", () => {
  it("reads a drive's state at most once per TTL, sees its own blocks at once, and others' after the TTL", async () => {
    const clock = new ManualClock();
    const shared = new MemoryThrottleStore();
    let reads = 0;
    const counting = {
      blockedUntil: (d: string) => {
        reads += 1;
        return shared.blockedUntil(d);
      },
      block: (d: string, u: number) => shared.block(d, u),
    };
    const mine = new CachedThrottleStore(counting, clock, 2_000);
    const other = new CachedThrottleStore(shared, clock, 2_000);
    expect(await mine.blockedUntil("d")).toBe(0);
    expect(await mine.blockedUntil("d")).toBe(0);
    expect(reads).toBe(1);
    await mine.block("d", clock.now() + 30_000);
    expect(await mine.blockedUntil("d")).toBe(clock.now() + 30_000);
    await other.block("e", clock.now() + 60_000);
    expect(await mine.blockedUntil("e")).toBe(clock.now() + 60_000);
    await mine.blockedUntil("f");
    await other.block("f", clock.now() + 90_000);
    expect(await mine.blockedUntil("f")).toBe(0);
    clock.advance(2_000);
    expect(await mine.blockedUntil("f")).toBe(clock.now() - 2_000 + 90_000);
  });
});
