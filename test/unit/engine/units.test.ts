import { describe, expect, it } from "vitest";
import { formatBytes, parseByteSize } from "../../../src/core/shared/units.js";
import {
  chunkSizeProblem,
  contentRange,
  nextFragment,
  uploadMethod,
} from "../../../src/core/upload/chunkPlan.js";

describe("parseByteSize", () => {
  it.each([
    ["320KiB", 327_680],
    ["10MiB", 10_485_760],
    ["10 MiB", 10_485_760],
    ["1GiB", 1_073_741_824],
    ["4M", 4_194_304],
    ["4MB", 4_000_000],
    ["1048576", 1_048_576],
    ["0", 0],
    ["1.5KiB", 1536],
  ])("%s -> %i", (text, bytes) => {
    expect(parseByteSize(text)).toBe(bytes);
  });

  it.each(["", "MiB", "-1", "10 parsecs", "1.3B", "ten"])("rejects %j", (text) => {
    expect(parseByteSize(text)).toBeUndefined();
  });

  it("formats sizes for people", () => {
    expect(formatBytes(17)).toBe("17 B");
    expect(formatBytes(327_680)).toBe("320 KiB");
    expect(formatBytes(1.5 * 1024 ** 3)).toBe("1.5 GiB");
  });
});

describe("chunk planning", () => {
  it("accepts multiples of 320 KiB under 60 MiB", () => {
    expect(chunkSizeProblem(327_680)).toBeUndefined();
    expect(chunkSizeProblem(10 * 1024 * 1024)).toBeUndefined();
    expect(chunkSizeProblem(187 * 327_680)).toBeUndefined();
  });

  it("names the rule for bad sizes", () => {
    expect(chunkSizeProblem(1_000_000)).toMatch(/multiple of 320 KiB/);
    expect(chunkSizeProblem(192 * 327_680)).toMatch(/under 60 MiB/);
    expect(chunkSizeProblem(0)).toMatch(/positive/);
  });

  it("uses simple upload up to the threshold and always for 0 bytes", () => {
    expect(uploadMethod(0, 0)).toBe("simple");
    expect(uploadMethod(4 * 1024 * 1024, 4 * 1024 * 1024)).toBe("simple");
    expect(uploadMethod(4 * 1024 * 1024 + 1, 4 * 1024 * 1024)).toBe("session");
  });

  it("plans fragments from the server's missing range", () => {
    expect(nextFragment({ start: 0, end: 999 }, 1000, 327_680)).toEqual({
      start: 0,
      length: 1000,
      total: 1000,
    });
    expect(nextFragment({ start: 327_680, end: 999_999 }, 1_000_000, 327_680)).toEqual({
      start: 327_680,
      length: 327_680,
      total: 1_000_000,
    });
    expect(nextFragment({ start: 100, end: 199 }, 1_000_000, 327_680).length).toBe(100);
    expect(contentRange({ start: 0, length: 10, total: 25 })).toBe("bytes 0-9/25");
  });
});
