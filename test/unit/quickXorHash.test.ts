import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { QuickXorHash, quickXorHashOf } from "../../src/core/shared/quickXorHash.js";

/** Straight transcription of the definition, one shift per byte: the oracle the fast version must match. */
function referenceQuickXor(data: Uint8Array): string {
  const v = new Uint8Array(20);
  for (let i = 0; i < data.length; i++) {
    const bit = (11 * i) % 160;
    const b = data[i] ?? 0;
    const idx = bit >> 3;
    const off = bit & 7;
    v[idx] = (v[idx] ?? 0) ^ ((b << off) & 0xff);
    if (off) v[(idx + 1) % 20] = (v[(idx + 1) % 20] ?? 0) ^ (b >> (8 - off));
  }
  let len = BigInt(data.length);
  for (let k = 12; k < 20; k++) {
    v[k] = (v[k] ?? 0) ^ Number(len & 0xffn);
    len >>= 8n;
  }
  return Buffer.from(v).toString("base64");
}

describe("QuickXorHash", () => {
  it.each([
    ["", "AAAAAAAAAAAAAAAAAAAAAAAAAAA="],
    ["Sg==", "SgAAAAAAAAAAAAAAAQAAAAAAAAA="],
    ["tbQ=", "taAFAAAAAAAAAAAAAgAAAAAAAAA="],
    ["2fuxhBJXtpWFe8dOfdGeHw==", "O9tHLAghgSvYohKFyMMxnNCHaHg="],
  ])("matches the published vector for base64 input %j", (input, expected) => {
    expect(quickXorHashOf(Buffer.from(input, "base64"))).toBe(expected);
  });

  it("matches the published vector for ASCII 'hello world'", () => {
    expect(quickXorHashOf(Buffer.from("hello world"))).toBe("aCgDG9jwBhDc4Q1yawMZAAAAAAA=");
  });

  it("agrees with the per-byte definition on random data of awkward lengths and alignments", () => {
    for (const size of [1, 159, 160, 161, 319, 320, 1000, 4096 + 3, 65_537]) {
      const backing = randomBytes(size + 3);
      for (const start of [0, 1, 3]) {
        const view = backing.subarray(start, start + size);
        expect(quickXorHashOf(view), `size ${size} offset ${start}`).toBe(referenceQuickXor(view));
      }
    }
  });

  it("gives the same digest incrementally, across serialised state, as over the whole input", () => {
    const data = randomBytes(1_000_003);
    const whole = quickXorHashOf(data);
    let state = new QuickXorHash().state();
    // Uneven cuts, including cuts that are not multiples of 160 or 4, and a JSON round trip between chunks.
    const cuts = [0, 7, 160, 333, 327_680, 500_001, 999_999, data.length];
    for (let c = 0; c + 1 < cuts.length; c++) {
      const h = new QuickXorHash(JSON.parse(JSON.stringify(state)));
      h.update(data.subarray(cuts[c], cuts[c + 1]));
      state = h.state();
    }
    expect(new QuickXorHash(state).digest()).toBe(whole);
    expect(state.length).toBe(data.length);
  });

  it("changes when any single byte changes", () => {
    const data = randomBytes(4096);
    const before = quickXorHashOf(data);
    data[2049] = (data[2049] ?? 0) ^ 0x01;
    expect(quickXorHashOf(data)).not.toBe(before);
  });

  it("refuses a corrupt state rather than hashing from garbage", () => {
    expect(() => new QuickXorHash({ vector: "AAAA", length: 0 })).toThrow(/corrupt/);
    expect(() => new QuickXorHash({ vector: Buffer.alloc(20).toString("base64"), length: -1 })).toThrow(
      /corrupt/,
    );
  });
});
