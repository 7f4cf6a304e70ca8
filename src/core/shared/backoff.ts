/**
 * Exponential backoff with jitter for transient failures without a server-given delay (docs/graph-protocol.md "Throttling":
 * some 429s carry no Retry-After; 5xx and network errors never do). "Equal jitter": half the exponential delay
 * is fixed, half random, so retries spread out but never collapse to zero. `random` is injected (tests).
 */
export interface BackoffOptions {
  readonly baseMs: number;
  readonly maxMs: number;
}

/** Delay before retry number `attempt` (0 for the first retry). */
export function backoffDelay(attempt: number, random: () => number, options: BackoffOptions): number {
  const exponential = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt));
  const half = exponential / 2;
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(half + half * r);
}
