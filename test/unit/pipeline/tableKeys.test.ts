import { describe, expect, it } from "vitest";
import { int64, int64Literal, readInt64 } from "../../../src/store/int64.js";
import { odataString, tableKey } from "../../../src/store/tableKeys.js";

describe("table keys", () => {
  it("escapes the characters Table Storage forbids in keys, one-to-one", () => {
    const raw = "a/b\\c#d?e%f\u0000g\u001fh\u007fi";
    const key = tableKey(raw);
    expect(key).toBe("a%2Fb%5Cc%23d%3Fe%25f%00g%1Fh%7Fi");
    expect(
      [...key].some((ch) => "/\\#?".includes(ch) || ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f),
    ).toBe(false);
    expect(tableKey("a%2Fb")).not.toBe(tableKey("a/b"));
    expect(tableKey("b!Plain-Drive_Id.1")).toBe("b!Plain-Drive_Id.1");
  });

  it("keeps keys within 1 KiB and refuses empty keys", () => {
    const long = tableKey("x".repeat(5000));
    expect(long.length).toBeLessThan(100);
    expect(tableKey("x".repeat(5000))).toBe(long);
    expect(tableKey("y".repeat(5000))).not.toBe(long);
    expect(() => tableKey("")).toThrow(/empty/);
  });

  it("quotes OData strings", () => {
    expect(odataString("it's")).toBe("'it''s'");
  });
});

describe("Int64 columns", () => {
  it("writes explicit Int64 values and reads every SDK form back", () => {
    expect(int64(2 ** 33)).toEqual({ value: "8589934592", type: "Int64" });
    expect(readInt64(8589934592n)).toBe(2 ** 33);
    expect(readInt64({ value: "8589934592", type: "Int64" })).toBe(2 ** 33);
    expect(readInt64(undefined)).toBeUndefined();
    expect(int64Literal(1_800_000_000_000)).toBe("1800000000000L");
    expect(() => int64(1.5)).toThrow(/safe integer/);
    expect(() => readInt64(2n ** 60n)).toThrow(/safe integer/);
  });
});
