import { setTimeout } from "node:timers/promises";

/**
 * Waits `ms`, or rejects as soon as `signal` aborts, with the signal's own reason (not a generic AbortError),
 * so callers can say why they stopped (e.g. "interrupted").
 */
export async function delay(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await setTimeout(ms, undefined, signal ? { signal } : undefined);
  } catch (err: unknown) {
    if (signal?.aborted) throw signal.reason ?? err;
    throw err;
  }
}
