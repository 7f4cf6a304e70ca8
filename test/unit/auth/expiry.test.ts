import { describe, expect, it } from "vitest";
import { parseExpiry } from "../../../src/auth/expiry.js";

describe("token expiry", () => {
  it("reads RFC 3339 with nanoseconds and offsets, as rclone writes it", () => {
    expect(parseExpiry("2026-11-23T07:01:02.123456789+01:00")).toBe(Date.UTC(2026, 10, 23, 6, 1, 2, 123));
    expect(parseExpiry("2026-11-23T07:01:02.9-05:30")).toBe(Date.UTC(2026, 10, 23, 12, 31, 2, 900));
    expect(parseExpiry("2026-11-23T07:01:02Z")).toBe(Date.UTC(2026, 10, 23, 7, 1, 2));
  });

  it("reads Unix timestamps in seconds or milliseconds, as numbers or strings", () => {
    expect(parseExpiry(1795410000)).toBe(1795410000000);
    expect(parseExpiry("1795410000")).toBe(1795410000000);
    expect(parseExpiry(1795410000123)).toBe(1795410000123);
  });

  it("treats Go's zero time, empty values and other formats as no expiry", () => {
    expect(parseExpiry("0001-01-01T00:00:00Z")).toBeUndefined();
    expect(parseExpiry("")).toBeUndefined();
    expect(parseExpiry("2026-11-23 soon")).toBeUndefined();
    expect(parseExpiry("2026-11-23T07:01:02")).toBeUndefined();
    expect(parseExpiry(undefined)).toBeUndefined();
  });
});
