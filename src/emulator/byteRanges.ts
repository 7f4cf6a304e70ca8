/** Received byte ranges of an upload session, as sorted, merged half-open intervals [start, end). */

export type Interval = readonly [start: number, end: number];

export function addInterval(ranges: readonly Interval[], added: Interval): Interval[] {
  const all = [...ranges, added].sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [start, end] of all) {
    const last = merged[merged.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

export function overlaps(ranges: readonly Interval[], candidate: Interval): boolean {
  return ranges.some(([start, end]) => candidate[0] < end && start < candidate[1]);
}

export function receivedBytes(ranges: readonly Interval[]): number {
  return ranges.reduce((sum, [start, end]) => sum + end - start, 0);
}

/** First byte not yet received (the contiguous prefix length). */
export function firstMissing(ranges: readonly Interval[]): number {
  const first = ranges[0];
  return first && first[0] === 0 ? first[1] : 0;
}

/**
 * Graph's `nextExpectedRanges`: every missing range as `a-b`, the last one open (`c-`) or closed (`c-{total-1}`).
 * With no total known yet, everything from 0 is missing.
 */
export function missingRanges(
  ranges: readonly Interval[],
  total: number | undefined,
  style: "open" | "closed",
): string[] {
  const out: string[] = [];
  let cursor = 0;
  for (const [start, end] of ranges) {
    if (start > cursor) out.push(`${cursor}-${start - 1}`);
    cursor = Math.max(cursor, end);
  }
  if (total === undefined) out.push(`${cursor}-`);
  else if (cursor < total) out.push(style === "open" ? `${cursor}-` : `${cursor}-${total - 1}`);
  return out;
}
