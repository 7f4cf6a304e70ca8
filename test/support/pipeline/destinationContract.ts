/**
 * The DestinationIndex contract, run against the in-memory twin (unit) and the Table adapter on Azurite
 * (integration): create only when absent, replace only on the current ETag, a lost race is ConcurrencyError.
 */
import { describe, expect, it } from "vitest";
import { ConcurrencyError, type DestinationIndex } from "../../../src/core/ports/stores.js";

export function describeDestinationIndexContract(
  name: string,
  create: () => Promise<DestinationIndex>,
): void {
  describe(`DestinationIndex contract: ${name}`, () => {
    const a = { jobId: "job-a", requestId: "req-a", createdAt: 1_767_225_600_000 };
    const b = { jobId: "job-b", requestId: "req-b", createdAt: 1_767_225_600_001 };
    const key = "drive|b!x|/folder/file with spaces & ü.bin";

    it("creates once, then replaces only on the current ETag", async () => {
      const index = await create();
      expect(await index.get(key)).toBeUndefined();
      await index.put(key, a);
      await expect(index.put(key, b)).rejects.toBeInstanceOf(ConcurrencyError);
      const first = await index.get(key);
      expect(first?.holder).toEqual(a);
      await index.put(key, b, first?.etag);
      await expect(index.put(key, a, first?.etag)).rejects.toBeInstanceOf(ConcurrencyError);
      expect((await index.get(key))?.holder).toEqual(b);
      expect(await index.get(`${key}2`)).toBeUndefined();
    });

    it("lets exactly one of two racing replacements win", async () => {
      const index = await create();
      await index.put(key, a);
      const current = await index.get(key);
      const results = await Promise.allSettled([
        index.put(key, b, current?.etag),
        index.put(key, { ...b, jobId: "job-c" }, current?.etag),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    });
  });
}
