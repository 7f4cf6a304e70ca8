/**
 * The idle wait of a queue listener (queueTriggers.ts): a sleep that a wake ends early. A wake that arrives
 * while nobody sleeps (mid-poll, or waiting for in-flight work) is kept, so the next sleep returns at once
 * instead of losing it; only `takeWake` forgets it.
 */
export interface WakeableSleep {
  /** Ends the current sleep, or the next one if none is under way. */
  wake(): void;
  sleep(ms: number): Promise<void>;
  /** Whether a wake came since the last call; forgets it. */
  takeWake(): boolean;
}

export function wakeableSleep(): WakeableSleep {
  let wakePending = false;
  let interruptSleep: (() => void) | undefined;
  return {
    wake: () => {
      wakePending = true;
      interruptSleep?.();
    },
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        if (wakePending) return resolve();
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          interruptSleep = undefined;
          resolve();
        }
        interruptSleep = done;
      }),
    takeWake: () => {
      const woken = wakePending;
      wakePending = false;
      return woken;
    },
  };
}
