/**
 * The emulator's time. Tests inject a manual Clock; otherwise (and from the CLI) it is system time plus an
 * offset that `POST /_emulator/clock/advance` moves forward, so expiry can be exercised without waiting.
 */
import { type Clock, systemClock } from "../core/ports/common.js";

export interface AdvanceableClock extends Clock {
  advance(ms: number): void;
}

export class OffsetClock implements AdvanceableClock {
  private offset = 0;

  constructor(private readonly base: Clock = systemClock) {}

  now(): number {
    return this.base.now() + this.offset;
  }

  advance(ms: number): void {
    this.offset += ms;
  }
}

export function isAdvanceable(clock: Clock): clock is AdvanceableClock {
  return typeof (clock as Partial<AdvanceableClock>).advance === "function";
}

/**
 * Real-time waits for the `delay` fault, all cut short by close() so a test's teardown never hangs on them.
 * Resolves true when the wait ran its course, false when the emulator closed.
 */
export class Waits {
  private readonly pending = new Set<() => void>();
  private closed = false;

  wait(ms: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const finish = (completed: boolean): void => {
        clearTimeout(timer);
        this.pending.delete(cancel);
        resolve(completed);
      };
      const cancel = (): void => finish(false);
      const timer = setTimeout(() => finish(true), ms);
      this.pending.add(cancel);
    });
  }

  cancelAll(): void {
    this.closed = true;
    for (const cancel of [...this.pending]) cancel();
  }
}
