/**
 * One contract for every JobStore and ThrottleStore: the in-memory twins run it in unit tests, the Azure
 * adapters against a real Azurite (docs/design.md "every adapter has an in-memory twin, and one shared contract").
 */
import { describe, expect, it } from "vitest";
import type { UploadJob } from "../../../src/core/job/job.js";
import { ConcurrencyError, type JobStore, type ThrottleStore } from "../../../src/core/ports/stores.js";
import { makeJob } from "./jobs.js";

const GiB = 1024 ** 3;

export function describeJobStoreContract(name: string, create: () => Promise<JobStore>): void {
  describe(`JobStore contract: ${name}`, () => {
    it("creates jobs at wakeSeq 0 without a lease and reads them back, with or without the request id", async () => {
      const store = await create();
      const a = makeJob();
      const b = makeJob({ requestId: a.requestId });
      await store.createJobs([a, b]);
      const byPoint = await store.get(a.jobId, a.requestId);
      const byScan = await store.get(b.jobId);
      expect(byPoint?.job).toEqual(a);
      expect(byPoint?.wakeSeq).toBe(0);
      expect(byPoint?.leaseOwner).toBeUndefined();
      expect(byPoint?.leaseUntil).toBeUndefined();
      expect(byPoint?.cancelRequested).toBeUndefined();
      expect(typeof byPoint?.etag).toBe("string");
      expect(byScan?.job).toEqual(b);
      expect(await store.get("no-such-job", a.requestId)).toBeUndefined();
      expect(await store.get("no-such-job")).toBeUndefined();
    });

    it("creates a request's jobs all or nothing", async () => {
      const store = await create();
      const existing = makeJob();
      await store.createJobs([existing]);
      const fresh = makeJob({ requestId: existing.requestId });
      await expect(store.createJobs([fresh, existing])).rejects.toThrow(/already exists/);
      expect(await store.get(fresh.jobId, fresh.requestId)).toBeUndefined();
      const other = makeJob();
      await expect(store.createJobs([makeJob({ requestId: "req-x" }), other])).rejects.toThrow(
        /same request/,
      );
      expect(await store.get(other.jobId)).toBeUndefined();
    });

    it("refuses a job too large for one row, and changes nothing", async () => {
      const store = await create();
      const huge = makeJob({ lastError: { code: "x", message: "é".repeat(40_000) } });
      await expect(store.createJobs([huge])).rejects.toThrow(/too large to store/);
      expect(await store.get(huge.jobId)).toBeUndefined();
    });

    it("writes conditionally on the ETag and reports a lost race as ConcurrencyError", async () => {
      const store = await create();
      const job = makeJob();
      await store.createJobs([job]);
      const first = await store.get(job.jobId, job.requestId);
      if (!first) throw new Error("row missing");
      const { etag, ...row } = first;
      const written = await store.replace(
        { ...row, wakeSeq: 1, leaseOwner: "w1", leaseUntil: 1_900_000_000_000 },
        etag,
      );
      expect(written.etag).not.toBe(etag);
      await expect(store.replace({ ...row, wakeSeq: 2 }, etag)).rejects.toBeInstanceOf(ConcurrencyError);
      const now = await store.get(job.jobId, job.requestId);
      expect(now?.wakeSeq).toBe(1);
      expect(now?.leaseOwner).toBe("w1");
      expect(now?.leaseUntil).toBe(1_900_000_000_000);
    });

    it("lets exactly one of two concurrent writers on one ETag win (412 race)", async () => {
      const store = await create();
      const job = makeJob();
      await store.createJobs([job]);
      const row = await store.get(job.jobId, job.requestId);
      if (!row) throw new Error("row missing");
      const { etag, ...rest } = row;
      const results = await Promise.allSettled(
        ["a", "b", "c"].map((owner) =>
          store.replace({ ...rest, leaseOwner: owner, leaseUntil: 2_000_000_000_000 }, etag),
        ),
      );
      const won = results.filter((r) => r.status === "fulfilled");
      const lost = results.filter((r) => r.status === "rejected");
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(2);
      for (const r of lost) expect(r.status === "rejected" && r.reason).toBeInstanceOf(ConcurrencyError);
    });

    it("round-trips offsets and sizes above 2^31 and 2^32 exactly (Int64)", async () => {
      const store = await create();
      const job = makeJob();
      await store.createJobs([job]);
      const row = await store.get(job.jobId, job.requestId);
      if (!row) throw new Error("row missing");
      const big: UploadJob = {
        ...job,
        status: "uploading",
        fingerprint: { size: 6 * GiB + 7, version: "v1" },
        confirmedOffset: 5 * GiB + 327_680,
        hash: { vector: job.hash.vector, length: 5 * GiB + 327_680 },
        nextWakeAt: 4_102_444_800_000,
      };
      const { etag, ...rest } = row;
      await store.replace(
        { ...rest, job: big, wakeSeq: 2 ** 31 + 5, leaseOwner: "w", leaseUntil: 4_102_444_800_123 },
        etag,
      );
      const back = await store.get(job.jobId, job.requestId);
      expect(back?.job).toEqual(big);
      expect(back?.wakeSeq).toBe(2 ** 31 + 5);
      expect(back?.leaseUntil).toBe(4_102_444_800_123);
    });

    it("keeps request ids with key-unsafe characters apart and findable", async () => {
      const store = await create();
      const odd = makeJob({ requestId: "req/with#odd?chars\\and%2F" });
      const lookalike = makeJob({ requestId: "req%2Fwith%23odd%3Fchars%5Cand%252F" });
      await store.createJobs([odd]);
      await store.createJobs([lookalike]);
      expect((await store.get(odd.jobId, odd.requestId))?.job.requestId).toBe(odd.requestId);
      expect((await store.listByRequest(odd.requestId)).map((r) => r.job.jobId)).toEqual([odd.jobId]);
      expect((await store.listByRequest(lookalike.requestId)).map((r) => r.job.jobId)).toEqual([
        lookalike.jobId,
      ]);
    });

    it("lists a request's jobs and nothing else", async () => {
      const store = await create();
      const a = makeJob();
      const b = makeJob({ requestId: a.requestId });
      const other = makeJob();
      await store.createJobs([a, b]);
      await store.createJobs([other]);
      const ids = (await store.listByRequest(a.requestId)).map((r) => r.job.jobId).sort();
      expect(ids).toEqual([a.jobId, b.jobId].sort());
      expect(await store.listByRequest("req-none")).toEqual([]);
    });

    it("lists overdue jobs: active, wake time passed, lease free or expired; honours the limit", async () => {
      const store = await create();
      const now = 1_800_000_000_000;
      const due = makeJob({ nextWakeAt: now - 10_000 });
      const future = makeJob({ nextWakeAt: now + 10_000 });
      const done = makeJob({ nextWakeAt: now - 10_000, status: "completed" });
      const leasedLive = makeJob({ nextWakeAt: now - 10_000 });
      const leasedExpired = makeJob({ nextWakeAt: now - 10_000 });
      const cancelled = makeJob({ nextWakeAt: now - 10_000, status: "cancelled" });
      for (const job of [due, future, done, leasedLive, leasedExpired, cancelled])
        await store.createJobs([job]);
      const lease = async (job: UploadJob, until: number) => {
        const row = await store.get(job.jobId, job.requestId);
        if (!row) throw new Error("row missing");
        const { etag, ...rest } = row;
        await store.replace({ ...rest, leaseOwner: "w", leaseUntil: until }, etag);
      };
      await lease(leasedLive, now + 60_000);
      await lease(leasedExpired, now - 1);
      const overdue = (await store.listOverdue(now, 100)).map((r) => r.job.jobId).sort();
      expect(overdue).toEqual([due.jobId, leasedExpired.jobId].sort());
      expect(await store.listOverdue(now, 1)).toHaveLength(1);
    });
  });
}

export function describeThrottleStoreContract(name: string, create: () => Promise<ThrottleStore>): void {
  describe(`ThrottleStore contract: ${name}`, () => {
    it("reports 0 for an unknown drive and only ever extends a block", async () => {
      const store = await create();
      expect(await store.blockedUntil("b!never")).toBe(0);
      await store.block("b!one", 1_800_000_000_000);
      await store.block("b!one", 1_700_000_000_000);
      expect(await store.blockedUntil("b!one")).toBe(1_800_000_000_000);
      await store.block("b!one", 1_900_000_000_000);
      expect(await store.blockedUntil("b!one")).toBe(1_900_000_000_000);
    });

    it("keeps the latest of concurrent blocks", async () => {
      const store = await create();
      const untils = [1_800_000_000_003, 1_800_000_000_001, 1_800_000_000_009, 1_800_000_000_002];
      await Promise.all(untils.map((u) => store.block("b!race", u)));
      expect(await store.blockedUntil("b!race")).toBe(1_800_000_000_009);
    });

    it("accepts drive ids with key-unsafe characters without mixing them up", async () => {
      const store = await create();
      await store.block("b!a/b\\c#d?e\u0001f", 1_800_000_000_000);
      await store.block("b!a%2Fb%5Cc%23d%3Fe%01f", 1_700_000_000_000);
      expect(await store.blockedUntil("b!a/b\\c#d?e\u0001f")).toBe(1_800_000_000_000);
      expect(await store.blockedUntil("b!a%2Fb%5Cc%23d%3Fe%01f")).toBe(1_700_000_000_000);
      expect(await store.blockedUntil("b!a-b-c")).toBe(0);
    });
  });
}
