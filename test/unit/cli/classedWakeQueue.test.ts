/**
 * The CLI's wake lanes (src/cli/classedWakeQueue.ts, docs/upload.md "Concurrency"): which lane a job's wake goes
 * to, and how far preparation may run ahead of the fragment consumers. Real timers, short delays.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ClassedWakeQueue } from "../../../src/cli/classedWakeQueue.js";
import type { UploadJob } from "../../../src/core/job/job.js";

const wake = (jobId: string) => ({ jobId, wakeSeq: 1, requestId: "r" });
const sleep = (ms: number) => new Promise<"blocked">((resolve) => setTimeout(() => resolve("blocked"), ms));
const queues: ClassedWakeQueue[] = [];
afterEach(() => {
  for (const q of queues.splice(0)) q.close();
});

function lanes(): ClassedWakeQueue {
  const q = new ClassedWakeQueue();
  queues.push(q);
  q.assign("small", "small");
  q.assign("held", "large", true);
  q.assign("fresh", "large");
  q.assign("other", "large");
  return q;
}

describe("the CLI's wake lanes", () => {
  it("sends small files, large files without a session and large files with one to their own lanes", () => {
    const q = lanes();
    expect(q.laneOf("small")).toBe("small");
    expect(q.laneOf("fresh")).toBe("prepare");
    expect(q.laneOf("held")).toBe("large");
    q.noteStep({ jobId: "held", status: "uploading" } as UploadJob); // the session was lost
    expect(q.laneOf("held")).toBe("prepare");
    q.noteStep({ jobId: "held", status: "verifying" } as UploadJob); // uploaded, its session gone: not prepare
    expect(q.laneOf("held")).toBe("large");
    expect(q.laneOf("never-assigned")).toBe("large");
  });

  it("prepares the next file only while fewer than the limit are ready for a fragment consumer", async () => {
    const q = lanes();
    await q.send(wake("held"), 0);
    await q.send(wake("fresh"), 0);
    // One file ready, limit 1: preparation waits until a fragment consumer takes it.
    const gated = q.receivePrepared(1);
    expect(await Promise.race([gated, sleep(100)])).toBe("blocked");
    expect((await q.receive("large"))?.jobId).toBe("held");
    expect((await gated)?.jobId).toBe("fresh");
    q.prepared();
  });

  it("does not count a large wake that waits out a delay as ready, yet holds it and delivers it after", async () => {
    const q = lanes();
    await q.send(wake("held"), 300);
    await q.send(wake("fresh"), 0);
    expect(q.holds("held")).toBe(true);
    // A backoff on one file does not stop the next file's session being opened.
    const prepared = await Promise.race([q.receivePrepared(1), sleep(150)]);
    expect(prepared).toMatchObject({ jobId: "fresh" });
    q.prepared();
    const started = performance.now();
    expect((await q.receive("large"))?.jobId).toBe("held");
    expect(performance.now() - started).toBeGreaterThanOrEqual(100);
    expect(q.holds("held")).toBe(false);
  });

  it("close drops waiting wakes and ends a gated preparation", async () => {
    const q = lanes();
    await q.send(wake("held"), 0);
    await q.send(wake("other"), 10_000);
    const gated = q.receivePrepared(1);
    q.close();
    expect(await gated).toBeUndefined();
    expect(q.holds("other")).toBe(false);
  });
});
