/**
 * Token expiry as stored by token.json (`expires_at`, ISO 8601, or `expiry`, Unix time) and by rclone
 * (`expiry`, Go's RFC 3339 with nanoseconds and an offset, e.g. `2026-11-23T07:01:02.123456789+01:00`).
 * Go's zero time (`0001-01-01T00:00:00Z`) means "no expiry recorded".
 */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:\d{2})$/;

/** Milliseconds since the epoch, or undefined when absent, zero-time, or not a recognised format. */
export function parseExpiry(value: unknown): number | undefined {
  if (typeof value === "number") return fromUnix(value);
  if (typeof value !== "string" || value.trim() === "") return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return fromUnix(Number(text));
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const base = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number(y) <= 1) return undefined;
  const ms = frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
  let offsetMin = 0;
  if (zone && zone.toUpperCase() !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    offsetMin = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  }
  return base + ms - offsetMin * 60_000;
}

/** Unix time in seconds, or in milliseconds when it is too large to be seconds (after year 33658). */
function fromUnix(n: number): number | undefined {
  if (!Number.isFinite(n) || n <= 0) return undefined;
  return n > 1e12 ? Math.floor(n) : Math.floor(n * 1000);
}
