/**
 * `nextExpectedRanges` parsing (docs/graph-protocol.md "Upload sessions"). Shapes seen: `["{next}-"]` (doc),
 * `["{next}-{total-1}"]`, several ranges (`["0-99","200-"]`), and `[]` once every byte is in.
 * The server decides the offset: the bytes before the first missing range are the confirmed ones.
 */

/** An inclusive byte range. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

export interface ExpectedRanges {
  /** Missing ranges, sorted, clamped to the file; empty when the server holds every byte. */
  readonly missing: readonly ByteRange[];
  /** Bytes [0, confirmed) are on the server: the start of the first missing range, or the total. */
  readonly confirmed: number;
}

export class RangeParseError extends Error {
  constructor(readonly value: string) {
    super(`the server sent an unreadable nextExpectedRanges entry "${value.slice(0, 40)}"`);
    this.name = "RangeParseError";
  }
}

export function parseExpectedRanges(values: readonly string[] | undefined, total: number): ExpectedRanges {
  const missing: ByteRange[] = [];
  for (const raw of values ?? []) {
    const value = raw.trim();
    const match = /^(\d+)(?:-(\d*))?$/.exec(value);
    if (!match) throw new RangeParseError(value);
    const start = Number(match[1]);
    const end = match[2] ? Number(match[2]) : total - 1;
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start) {
      throw new RangeParseError(value);
    }
    if (start >= total) continue;
    missing.push({ start, end: Math.min(end, total - 1) });
  }
  missing.sort((a, b) => a.start - b.start);
  return { missing, confirmed: missing[0]?.start ?? total };
}
