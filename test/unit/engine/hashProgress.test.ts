import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { advanceHash, EMPTY_HASH } from "../../../src/core/job/hashProgress.js";
import { QuickXorHash, quickXorHashOf } from "../../../src/core/shared/quickXorHash.js";
import { MemorySource } from "./memoryGraph.js";

describe("advanceHash", () => {
  it("combines in-memory bytes and source reads, across serialised states, into the whole-file hash", async () => {
    const data = randomBytes(10_000);
    const source = new MemorySource(data);
    const fp = await source.fingerprint();
    let state = JSON.parse(JSON.stringify(EMPTY_HASH));
    state = await advanceHash(state, 3001, source, fp, 1000, { start: 0, bytes: data.subarray(0, 4000) });
    expect(source.reads).toBe(0);
    state = JSON.parse(JSON.stringify(state));
    state = await advanceHash(state, 7777, source, fp, 1000);
    expect(source.reads).toBe(5);
    state = await advanceHash(state, 10_000, source, fp, 1000, { start: 7777, bytes: data.subarray(7777) });
    expect(new QuickXorHash(state).digest()).toBe(quickXorHashOf(data));
  });

  it("stays exact when the chunk size changes between advances (fragments sized to the link)", async () => {
    const data = randomBytes(50_000);
    const source = new MemorySource(data);
    const fp = await source.fingerprint();
    let state = EMPTY_HASH;
    // Sizes as chunkSizing.ts may pick them one step after another: grown, halved after a timeout, grown again.
    for (const [upTo, chunk] of [
      [7_000, 3_000],
      [19_000, 6_000],
      [22_500, 1_500],
      [50_000, 12_000],
    ] as const) {
      state = await advanceHash(state, upTo, source, fp, chunk);
      expect(state.length).toBe(upTo);
    }
    expect(new QuickXorHash(state).digest()).toBe(quickXorHashOf(data));
  });

  it("never moves backwards", async () => {
    const source = new MemorySource(randomBytes(10));
    const state = { ...EMPTY_HASH, length: 0 };
    expect(await advanceHash(state, 0, source, await source.fingerprint(), 4)).toBe(state);
  });
});
