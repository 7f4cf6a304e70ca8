import { describe, expect, it } from "vitest";
import { parseExpectedRanges, RangeParseError } from "../../../src/core/shared/ranges.js";

describe("nextExpectedRanges", () => {
  it("reads the documented open form", () => {
    expect(parseExpectedRanges(["26-"], 100)).toEqual({ missing: [{ start: 26, end: 99 }], confirmed: 26 });
  });

  it("reads the closed form", () => {
    expect(parseExpectedRanges(["26-99"], 100)).toEqual({ missing: [{ start: 26, end: 99 }], confirmed: 26 });
  });

  it("reads several ranges, unsorted, and confirms only up to the first gap", () => {
    const r = parseExpectedRanges(["50-59", "10-19"], 100);
    expect(r.missing).toEqual([
      { start: 10, end: 19 },
      { start: 50, end: 59 },
    ]);
    expect(r.confirmed).toBe(10);
  });

  it("treats an empty list as everything received", () => {
    expect(parseExpectedRanges([], 100)).toEqual({ missing: [], confirmed: 100 });
    expect(parseExpectedRanges(undefined, 100).confirmed).toBe(100);
  });

  it("accepts a bare start and clamps ends past the file", () => {
    expect(parseExpectedRanges(["40"], 100).missing).toEqual([{ start: 40, end: 99 }]);
    expect(parseExpectedRanges([" 40-500 "], 100).missing).toEqual([{ start: 40, end: 99 }]);
  });

  it("handles offsets beyond 2^32", () => {
    const total = 6 * 1024 ** 3;
    expect(parseExpectedRanges([`${5 * 1024 ** 3}-`], total).confirmed).toBe(5 * 1024 ** 3);
  });

  it.each(["abc", "-5", "10-5", "1-2-3", ""])("rejects %j", (value) => {
    expect(() => parseExpectedRanges([value], 100)).toThrow(RangeParseError);
  });
});
