import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { wakeableSleep } from "../../../src/localhost/wakeableSleep.js";

describe("wakeableSleep (the queue listener's idle wait)", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const settled = async (p: Promise<void>) => {
    let done = false;
    void p.then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    return done;
  };

  it("sleeps the full time when nothing wakes it", async () => {
    const waits = wakeableSleep();
    const sleeping = waits.sleep(1_000);
    expect(await settled(sleeping)).toBe(false);
    await vi.advanceTimersByTimeAsync(999);
    expect(await settled(sleeping)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await settled(sleeping)).toBe(true);
    expect(waits.takeWake()).toBe(false);
  });

  it("ends a sleep under way at once on a wake", async () => {
    const waits = wakeableSleep();
    const sleeping = waits.sleep(60_000);
    waits.wake();
    expect(await settled(sleeping)).toBe(true);
    expect(waits.takeWake()).toBe(true);
  });

  it("keeps a wake that came while nobody slept, until takeWake forgets it", async () => {
    const waits = wakeableSleep();
    waits.wake();
    expect(await settled(waits.sleep(60_000))).toBe(true);
    // Sleeping does not use the wake up: the poll loop decides with takeWake.
    expect(await settled(waits.sleep(60_000))).toBe(true);
    expect(waits.takeWake()).toBe(true);
    expect(waits.takeWake()).toBe(false);
    expect(await settled(waits.sleep(60_000))).toBe(false);
    expect(vi.getTimerCount()).toBe(1);
  });

  it("leaves no timer behind after a wake", async () => {
    const waits = wakeableSleep();
    const sleeping = waits.sleep(60_000);
    waits.wake();
    await settled(sleeping);
    expect(vi.getTimerCount()).toBe(0);
  });
});
