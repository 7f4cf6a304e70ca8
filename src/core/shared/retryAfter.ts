/**
 * How long Graph asked us to wait (docs/graph-protocol.md "Throttling"): `Retry-After` in seconds or as an HTTP-date, and
 * for app-only callers `RateLimit-Reset` (seconds until the quota resets). When both are present, wait for the
 * larger. Microsoft requires honouring them: retries before the time count against the quota.
 */

/** Milliseconds to wait from a `Retry-After` value, or undefined when it is absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // HTTP-date (RFC 9110 IMF-fixdate, also the obsolete forms Date.parse understands). Require a letter so that
  // junk like "-5" is not read as a year.
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** Milliseconds from a `RateLimit-Reset` value (delta seconds), or undefined. */
export function parseRateLimitReset(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  return /^\d+(\.\d+)?$/.test(text) ? Math.round(Number(text) * 1000) : undefined;
}

/** The larger of the two server-given delays, or undefined when the server gave none. */
export function serverRequestedDelay(
  headers: { readonly retryAfter?: string; readonly rateLimitReset?: string },
  now: number,
): number | undefined {
  const a = parseRetryAfter(headers.retryAfter, now);
  const b = parseRateLimitReset(headers.rateLimitReset);
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.max(a, b);
}
