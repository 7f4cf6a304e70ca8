import { describe, expect, it } from "vitest";
import { backoffDelay } from "../../../src/core/shared/backoff.js";
import {
  parseRateLimitReset,
  parseRetryAfter,
  serverRequestedDelay,
} from "../../../src/core/shared/retryAfter.js";

const NOW = Date.UTC(2026, 10, 23, 6, 0, 0);

describe("Retry-After and RateLimit-Reset", () => {
  it("reads delta seconds", () => {
    expect(parseRetryAfter("120", NOW)).toBe(120_000);
    expect(parseRetryAfter(" 0 ", NOW)).toBe(0);
    expect(parseRetryAfter("1.5", NOW)).toBe(1500);
  });

  it("reads an HTTP-date relative to now", () => {
    expect(parseRetryAfter("Mon, 23 Nov 2026 06:00:30 GMT", NOW)).toBe(30_000);
    expect(parseRetryAfter("Mon, 23 Nov 2026 05:59:00 GMT", NOW)).toBe(0);
  });

  it("ignores junk", () => {
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
    expect(parseRetryAfter("", NOW)).toBeUndefined();
    expect(parseRetryAfter("-5", NOW)).toBeUndefined();
    expect(parseRetryAfter("soon", NOW)).toBeUndefined();
    expect(parseRateLimitReset("x")).toBeUndefined();
  });

  it("takes the larger of the two when both are present", () => {
    expect(serverRequestedDelay({ retryAfter: "5", rateLimitReset: "20" }, NOW)).toBe(20_000);
    expect(serverRequestedDelay({ retryAfter: "50", rateLimitReset: "20" }, NOW)).toBe(50_000);
    expect(serverRequestedDelay({ rateLimitReset: "3" }, NOW)).toBe(3000);
    expect(serverRequestedDelay({}, NOW)).toBeUndefined();
  });
});

describe("backoff", () => {
  const options = { baseMs: 1000, maxMs: 60_000 };

  it("doubles per attempt with equal jitter", () => {
    expect(backoffDelay(0, () => 0, options)).toBe(500);
    expect(backoffDelay(0, () => 1, options)).toBe(1000);
    expect(backoffDelay(3, () => 0.5, options)).toBe(6000);
  });

  it("is capped", () => {
    expect(backoffDelay(30, () => 1, options)).toBe(60_000);
    expect(backoffDelay(30, () => 0, options)).toBe(30_000);
  });

  it("spreads retries across the jitter window", () => {
    const seen = new Set([0, 0.25, 0.5, 0.75, 0.99].map((r) => backoffDelay(2, () => r, options)));
    expect(seen.size).toBe(5);
  });
});
