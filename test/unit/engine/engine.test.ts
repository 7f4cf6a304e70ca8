import { describe, expect, it } from "vitest";
import { GraphFailure } from "../../../src/core/ports/graphFailure.js";
import { quickXorHashOf } from "../../../src/core/shared/quickXorHash.js";
import { ChunkBufferPool } from "../../../src/core/upload/bufferPool.js";
import { cancelJob, reopenFailedJob, resumeJob, step } from "../../../src/core/upload/engine.js";
import { DEFAULT_POLICY } from "../../../src/core/upload/policy.js";
import { harness, KIB320, runToEnd, stepOnce, stepUntil } from "./harness.js";
import { httpFailure, SECRET_QUERY } from "./memoryGraph.js";

const SIZE = 3 * KIB320 + 17;

describe("step machine: happy paths", () => {
  it("uploads a small file by simple upload and verifies its hash", async () => {
    const h = harness(1000);
    const { events } = await runToEnd(h);
    expect(h.job.status).toBe("completed");
    expect(h.job.result?.verification).toBe("hash");
    expect(h.graph.stored("drive-1", "/folder/file.bin")?.equals(h.source.data)).toBe(true);
    expect(h.graph.count("create")).toBe(0);
    expect(events.map((e) => e.type)).toEqual(["started", "completed"]);
  });

  it("uploads a 0-byte file by simple upload even when the threshold is 0", async () => {
    const h = harness(0, { simpleUploadMax: 0 });
    await runToEnd(h);
    expect(h.job.status).toBe("completed");
    expect(h.graph.count("simple")).toBe(1);
    expect(h.job.result?.quickXorHash).toBe(quickXorHashOf(Buffer.alloc(0)));
  });

  it("creates the session in its own step before sending any fragment (persist-before-use)", async () => {
    const h = harness(SIZE, { simpleUploadMax: 0 });
    await stepOnce(h); // prepare
    const created = await stepOnce(h);
    expect(created.job.session?.uploadUrl).toContain("upload.example");
    expect(created.next.type).toBe("continue");
    expect(h.graph.count("fragment")).toBe(0);
    await runToEnd(h);
    expect(h.job.status).toBe("completed");
    expect(h.graph.stored("drive-1", "/folder/file.bin")?.equals(h.source.data)).toBe(true);
    expect(h.graph.count("fragment")).toBe(4);
    expect(h.job.result?.quickXorHash).toBe(quickXorHashOf(h.source.data));
    expect(h.job.session).toBeUndefined();
  });

  it("sends fragments of exactly the chunk size except the last", async () => {
    const h = harness(SIZE, { simpleUploadMax: 0, chunkSize: 2 * KIB320 });
    const { events } = await runToEnd(h);
    const confirmed = events.flatMap((e) => (e.type === "chunk-confirmed" ? [e.confirmedOffset] : []));
    expect(confirmed).toEqual([2 * KIB320]);
    expect(h.graph.bytesReceived).toBe(SIZE);
  });

  it("keeps the hash state equal to the confirmed offset after every step", async () => {
    const h = harness(SIZE, { simpleUploadMax: 0 });
    for (let i = 0; i < 20 && h.job.status !== "completed"; i++) {
      await stepOnce(h);
      if (h.job.status === "uploading") expect(h.job.hash.length).toBe(h.job.confirmedOffset);
    }
    expect(h.job.status).toBe("completed");
  });
});

describe("step machine: the server decides the offset", () => {
  it("a fragment that landed although its response failed is not re-sent", async () => {
    const h = harness(SIZE, { simpleUploadMax: 0 });
    h.graph.faults.push({
      op: "fragment",
      nth: 2,
      landed: true,
      failure: new GraphFailure({ kind: "timeout", message: "t" }),
    });
    const { events } = await runToEnd(h);
    expect(h.job.status).toBe("completed");
    expect(h.graph.bytesReceived).toBe(SIZE);
    expect(h.graph.count("status")).toBe(1);
    expect(events.some((e) => e.type === "resynced" && e.to === 2 * KIB320)).toBe(true);
  });

  it("the final fragment landed but its answer was lost: verified from the item, not re-sent", async () => {
    const h = harness(SIZE, { simpleUploadMax: 0 });
    h.graph.faults.push({
      op: "fragment",
      nth: 4,
      landed: true,
      failure: new GraphFailure({ kind: "network", message: "reset" }),
    });
    await runToEnd(h);
    expect(h.job.status).toBe("completed");
    expect(h.job.result?.verification).toBe("hash");
    expect(h.graph.bytesReceived).toBe(SIZE);
    expect(h.graph.count("create")).toBe(1);
  });

  it("416 resyncs from the status and continues without a delay", async () => {
    const h = harness(SIZE, { simpleUploadMax: 0 });
    h.graph.faults.push({
      op: "fragment",
      nth: 2,
      failure: httpFailure(416, { codes: ["fragmentOverlap"] }),
    });
    const { results } = await runToEnd(h);
    expect(h.job.status).toBe("completed");
    expect(results.every((r) => r.next.type !== "wait")).toBe(true);
    expect(h.graph.count("status")).toBe(1);
  });

  it("follows a multi-range status: the fragment stops at the first missing range", async () => {
    const h = harness(4 * KIB320, { simpleUploadMax: 0, chunkSize: 2 * KIB320 });
    await stepOnce(h);
    await stepOnce(h);
    h.job = { ...h.job, resyncPending: true };
    const session = h.job.session;
    if (!session) throw new Error("no session");
    h.graph.getUploadStatus = async () => ({ nextExpectedRanges: [`0-${KIB320 - 1}`, `${3 * KIB320}-`] });
    await stepOnce(h);
    expect(h.job.confirmedOffset).toBe(0);
    expect(h.job.missingRangeEnd).toBe(KIB320 - 1);
    let sentLength = -1;
    const original = h.graph.uploadFragment.bind(h.graph);
    h.graph.uploadFragment = async (url, fragment) => {
      sentLength = fragment.bytes.length;
      return original(url, fragment);
    };
    await stepOnce(h);
    expect(sentLength).toBe(KIB320);
  });
});

describe("step machine: failures", () => {
  it("429 with Retry-After waits that long and throttles the whole drive", async () => {
    const h = harness(SIZE, { simpleUploadMax: 0 });
    h.graph.faults.push({ op: "fragment", nth: 1, failure: httpFailure(429, { retryAfter: "7" }) });
    await stepUntil(h, (j) => j.session !== undefined);
    const result = await step(h.job, h.deps);
    expect(result.next).toEqual({ type: "wait", ms: 7000, reason: "throttled" });
    expect(result.throttleDriveUntil).toEqual({ driveId: "drive-1", until: h.clock.now() + 7000 });
    expect(result.events[0]).toMatchObject({ type: "retrying", reason: "throttled", delayMs: 7000 });
    h.job = result.job;
    await runToEnd(h);
    expect(h.job.status).toBe("completed");
  });

  it("503 waits for the larger of Retry-After and RateLimit-Reset", async () => {
    const h = harness(SIZE, { simpleUploadMax: 0 });
    h.graph.faults.push({
      op: "create",
      failure: httpFailure(503, { retryAfter: "2", rateLimitReset: "30" }),
    });
    await stepOnce(h);
    const result = await step(h.job, h.deps);
    expect(result.next).toMatchObject({ type: "wait", ms: 30_000 });
  });

  it("429 without a delay header backs off exponentially with jitter", async () => {
    const h = harness(SIZE, { simpleUploadMax: 0 });
    for (let n = 1; n <= 3; n++) h.graph.faults.push({ op: "create", nth: n, failure: httpFailure(429) });
    await stepOnce(h);
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await stepOnce(h);
      if (r.next.type === "wait") waits.push(r.next.ms);
    }
    // random() = 0.5: 3/4 of 1 s, 2 s, 4 s.
    expect(waits).toEqual([750, 1500, 3000]);
  });

  it("5xx backs off, then asks the status, then resends only what is missing", async () => {
    const h = harness(SIZE, { simpleUploadMax: 0 });
    h.graph.faults.push({ op: "fragment", nth: 2, failure: httpFailure(500) });
    const { events } = await runToEnd(h);
    expect(h.job.status).toBe("completed");
    expect(events.some((e) => e.type === "retrying" && e.reason === "server-error" && e.delayMs > 0)).toBe(
      true,
    );
    expect(h.graph.count("status")).toBe(1);
    expect(h.graph.bytesReceived).toBe(SIZE);
  });

  it("the retry budget is spent by consecutive failures and reset when bytes are confirmed", async () => {
    const h = harness(SIZE, { simpleUploadMax: 0, policy: { maxRetries: 3 } });
    for (const nth of [2, 3, 4]) h.graph.faults.push({ op: "fragment", nth, failure: httpFailure(502) });
    for (const nth of [6, 7, 8]) h.graph.faults.push({ op: "fragment", nth, failure: httpFailure(502) });
    await runToEnd(h);
    expect(h.job.status).toBe("completed");

    // Where a person can resume it (the CLI's state file), the session is kept for a later retry.
    const g = harness(SIZE, { simpleUploadMax: 0, policy: { maxRetries: 3, keepSessionOnGiveUp: true } });
    g.graph.faults.push({ op: "fragment", nth: 1, sticky: true, failure: httpFailure(502) });
    await runToEnd(g);
    expect(g.job.status).toBe("failed");
    expect(g.job.lastError?.code).toBe("server-error");
    expect(g.job.lastError?.message).toContain("gave up after 3 retries");
    expect(g.job.lastError?.message).toContain("resumes it");
    expect(g.graph.count("cancel")).toBe(0);
    const reopened = reopenFailedJob(g.job);
    expect(reopened).toMatchObject({ status: "uploading", resyncPending: true, attempts: { retries: 0 } });
    g.graph.faults.length = 0;
    if (reopened) g.job = reopened;
    await runToEnd(g);
    expect(g.job.status).toBe("completed");
    expect(g.graph.stored("drive-1", "/folder/file.bin")?.equals(g.source.data)).toBe(true);
    expect(reopenFailedJob(g.job)).toBeUndefined();

    // Elsewhere (the queue pipeline) it is deleted: an abandoned session blocks the file's next upload.
    const q = harness(SIZE, { simpleUploadMax: 0, policy: { maxRetries: 3 } });
    q.graph.faults.push({ op: "fragment", nth: 1, sticky: true, failure: httpFailure(502) });
    await runToEnd(q);
    expect(q.job.status).toBe("failed");
    expect(q.job.lastError?.message).toContain("starts it again");
    expect(q.graph.count("cancel")).toBe(1);
    expect(q.graph.sessions.size).toBe(0);
    expect(q.job.session).toBeUndefined();
  });

  it("a single 404 on the upload URL is taken as transient: wait, ask the status, same session", async () => {
    const h = harness(SIZE, { simpleUploadMax: 0 });
    h.graph.faults.push({ op: "fragment", nth: 3, failure: httpFailure(404, { codes: ["itemNotFound"] }) });
    const { results } = await runToEnd(h);
    expect(h.job.status).toBe("completed");
    expect(h.job.attempts.sessions).toBe(1);
    const waits = results.flatMap((r) => (r.next.type === "wait" ? [r.next.ms] : []));
    expect(waits).toEqual([DEFAULT_POLICY.notFoundRetryMs]);
    expect(h.graph.count("status")).toBe(1);
    expect(h.graph.stored("drive-1", "/folder/file.bin")?.equals(h.source.data)).toBe(true);
  });

  it("404 from a fragment and then from the status declares the session gone: new session from byte 0", async () => {
    const h = harness(SIZE, { simpleUploadMax: 0 });
    h.graph.faults.push({ op: "fragment", nth: 3, failure: httpFailure(404, { codes: ["itemNotFound"] }) });
    h.graph.faults.push({ op: "status", nth: 1, failure: httpFailure(404, { codes: ["itemNotFound"] }) });
    // The service really lost it: drop it on the twin too, as a 404 from the status means.
    h.graph.oneSessionPerFile = false;
    const { events } = await runToEnd(h);
    expect(h.job.status).toBe("completed");
    expect(h.job.attempts.sessions).toBe(2);
    expect(events).toContainEqual({
      type: "session-recreated",
      reason: "session-not-found",
      sessionNumber: 2,
    });
    expect(h.graph.stored("drive-1", "/folder/file.bin")?.equals(h.source.data)).toBe(true);
  });

  it.each([401, 403])("%i on the upload URL means an expired URL: new session", async (status) => {
    const h = harness(SIZE, { simpleUploadMax: 0 });
    // A dead upload URL no longer holds the file against a new session (modelled so on the twin).
    h.graph.oneSessionPerFile = false;
    h.graph.faults.push({ op: "fragment", nth: 2, failure: httpFailure(status) });
    const { events } = await runToEnd(h);
    expect(h.job.status).toBe("completed");
    expect(events.some((e) => e.type === "session-recreated" && e.reason === "upload-url-expired")).toBe(
      true,
    );
  });

  it("caps session recreation and then fails with a reason", async () => {
    const h = harness(SIZE, { simpleUploadMax: 0, policy: { maxSessions: 3 } });
    h.graph.oneSessionPerFile = false;
    h.graph.faults.push({ op: "fragment", nth: 1, sticky: true, failure: httpFailure(404) });
    h.graph.faults.push({ op: "status", nth: 1, sticky: true, failure: httpFailure(404) });
    await runToEnd(h);
    expect(h.job.status).toBe("failed");
    expect(h.job.lastError?.code).toBe("session-limit");
    expect(h.graph.count("create")).toBe(3);
    // Each session: one fragment, one status after the wait; nothing more.
    expect(h.graph.count("fragment")).toBe(3);
    expect(h.graph.count("status")).toBe(3);
  });

  it("423 backs off for minutes without burning the session", async () => {
    const h = harness(SIZE, { simpleUploadMax: 0 });
    h.graph.faults.push({ op: "fragment", nth: 1, failure: httpFailure(423) });
    await stepUntil(h, (j) => j.session !== undefined);
    const result = await step(h.job, h.deps);
    expect(result.next.type === "wait" && result.next.ms >= 45_000).toBe(true);
    expect(result.job.session).toEqual(h.job.session);
    expect(result.throttleDriveUntil).toBeUndefined();
  });

  it.each([
    [507, "quota-exceeded"],
    [409, "name-conflict"],
  ])("%i fails with a clear reason and cancels the session", async (status, code) => {
    const h = harness(SIZE, { simpleUploadMax: 0 });
    h.job = { ...h.job, conflictBehavior: "fail" };
    h.graph.faults.push({ op: "fragment", nth: 2, failure: httpFailure(status) });
    await runToEnd(h);
    expect(h.job.status).toBe("failed");
    expect(h.job.lastError?.code).toBe(code);
    expect(h.graph.count("cancel")).toBe(1);
    expect(h.graph.sessions.size).toBe(0);
  });

  it("400 resyncs once, then fails loudly", async () => {
    const h = harness(SIZE, { simpleUploadMax: 0 });
    h.graph.faults.push({ op: "fragment", nth: 2, failure: httpFailure(400, { codes: ["invalidRequest"] }) });
    await runToEnd(h);
    expect(h.job.status).toBe("completed");

    const g = harness(SIZE, { simpleUploadMax: 0 });
    g.graph.faults.push({
      op: "fragment",
      nth: 2,
      sticky: true,
      failure: httpFailure(400, { codes: ["invalidRequest"] }),
    });
    await runToEnd(g);
    expect(g.job.status).toBe("failed");
    expect(g.job.lastError).toMatchObject({
      code: "bad-request",
      httpStatus: 400,
      graphCode: "invalidRequest",
    });
    expect(g.graph.count("status")).toBe(1);
  });

  it("413 on simple upload falls back to an upload session", async () => {
    const h = harness(1000);
    h.graph.faults.push({ op: "simple", failure: httpFailure(413) });
    await runToEnd(h);
    expect(h.job.status).toBe("completed");
    expect(h.graph.count("create")).toBe(1);
  });

  it("an expired session (expirationDateTime passed) is replaced before sending", async () => {
    const h = harness(SIZE, { simpleUploadMax: 0 });
    await stepUntil(h, (j) => j.confirmedOffset > 0);
    h.clock.advance(16 * 60_000);
    const { events } = await runToEnd(h);
    expect(h.job.status).toBe("completed");
    expect(events.some((e) => e.type === "session-recreated" && e.reason === "session-expired")).toBe(true);
  });

  it("the 24 h absolute URL lifetime forces a new session even while expirationDateTime slides", async () => {
    const h = harness(SIZE, { simpleUploadMax: 0, policy: { sessionLifetimeMs: 10 * 60_000 } });
    await stepUntil(h, (j) => j.confirmedOffset > 0);
    h.clock.advance(5 * 60_000);
    await stepOnce(h);
    h.clock.advance(5 * 60_000);
    const { events } = await runToEnd(h);
    expect(events.some((e) => e.type === "session-recreated")).toBe(true);
    expect(h.job.status).toBe("completed");
  });

  it("error messages never carry the upload URL or its query string", async () => {
    const h = harness(SIZE, { simpleUploadMax: 0, policy: { maxRetries: 2 } });
    h.graph.faults.push({ op: "fragment", nth: 1, sticky: true, failure: httpFailure(500) });
    const { events } = await runToEnd(h);
    const text = JSON.stringify({ events, error: h.job.lastError });
    expect(text).toContain("https://upload.example");
    expect(text).not.toContain(SECRET_QUERY);
    expect(text).not.toContain("/session/");
  });
});

describe("step machine: source, names, verification", () => {
  it("restarts from the new version when the source changes mid-upload", async () => {
    const h = harness(SIZE, { simpleUploadMax: 0 });
    await stepUntil(h, (j) => j.confirmedOffset > 0);
    const firstSession = h.job.session?.uploadUrl;
    h.source.replace(Buffer.alloc(SIZE + 5, 7));
    const { events } = await runToEnd(h);
    expect(events).toContainEqual({ type: "source-changed", action: "restart" });
    expect(h.job.status).toBe("completed");
    expect(h.graph.stored("drive-1", "/folder/file.bin")?.equals(h.source.data)).toBe(true);
    expect(firstSession && h.graph.sessions.has(firstSession)).toBe(false);
    expect(h.graph.count("cancel")).toBe(1);
  });

  it("fails when the source changes and the policy says fail", async () => {
    const h = harness(SIZE, { simpleUploadMax: 0, policy: { onSourceChange: "fail" } });
    await stepUntil(h, (j) => j.confirmedOffset > 0);
    h.source.replace(Buffer.alloc(SIZE, 1));
    await runToEnd(h);
    expect(h.job.status).toBe("failed");
    expect(h.job.lastError?.code).toBe("source-changed");
    expect(h.graph.sessions.size).toBe(0);
  });

  it("rejects an invalid name before any Graph call", async () => {
    const h = harness(10, { path: "/folder/bad:name.txt" });
    await runToEnd(h);
    expect(h.job.status).toBe("failed");
    expect(h.job.lastError?.code).toBe("invalid-name");
    expect(h.graph.calls).toEqual([]);
  });

  it("checks the 400-character limit against the resolved library path", async () => {
    const h = harness(10, { path: `/${"a".repeat(380)}.txt` });
    h.job = {
      ...h.job,
      destination: {
        type: "sharepoint",
        site: "https://c.sharepoint.com/sites/Ops",
        library: "Documents",
        path: `/${"a".repeat(380)}.txt`,
      },
    };
    await runToEnd(h);
    expect(h.job.lastError?.code).toBe("invalid-name");
    expect(h.job.lastError?.message).toContain("400");
    expect(h.graph.calls).toEqual(["resolve"]);
  });

  it("fails with hash-mismatch when the stored bytes differ", async () => {
    const h = harness(SIZE, { simpleUploadMax: 0 });
    h.graph.modifyStored = (_p, bytes) => {
      const copy = Buffer.from(bytes);
      copy[0] = (copy[0] ?? 0) ^ 0xff;
      return copy;
    };
    await runToEnd(h);
    expect(h.job.status).toBe("failed");
    expect(h.job.lastError?.code).toBe("hash-mismatch");
    expect(h.graph.count("create")).toBe(1);
  });

  it("reports a service-modified Office file as verified by size only, without re-uploading", async () => {
    const h = harness(SIZE, { simpleUploadMax: 0, path: "/folder/report.docx" });
    h.graph.modifyStored = (_p, bytes) => Buffer.concat([bytes, Buffer.from("promoted")]);
    const { events } = await runToEnd(h);
    expect(h.job.status).toBe("completed");
    expect(h.job.result?.verification).toBe("size-only");
    expect(events.at(-1)).toMatchObject({ type: "completed", result: { verification: "size-only" } });
    expect(h.graph.count("create")).toBe(1);
  });

  it("resumeJob makes the next step ask the status before sending", async () => {
    const h = harness(SIZE, { simpleUploadMax: 0 });
    await stepUntil(h, (j) => j.confirmedOffset > 0);
    h.job = resumeJob(h.job);
    const result = await stepOnce(h);
    expect(result.events[0]).toMatchObject({ type: "resynced", reason: "resume" });
    expect(h.graph.count("status")).toBe(1);
  });

  it("cancelJob deletes the session and marks the job cancelled", async () => {
    const h = harness(SIZE, { simpleUploadMax: 0 });
    await stepUntil(h, (j) => j.session !== undefined);
    const result = await cancelJob(h.job, h.deps);
    expect(result.next).toEqual({ type: "cancelled" });
    expect(result.job.status).toBe("cancelled");
    expect(result.job.session).toBeUndefined();
    expect(h.graph.sessions.size).toBe(0);
  });

  it("resolves OneDrive and SharePoint destinations in the first step", async () => {
    const h = harness(10);
    h.job = { ...h.job, destination: { type: "onedrive", user: "a@b.c", path: "/x.txt" } };
    await stepOnce(h);
    expect(h.job.target).toEqual({ driveId: "resolved-drive", path: "/x.txt" });
  });
});

describe("step machine: chunk buffers", () => {
  it("reuses one pooled buffer across fragments and drops a buffer whose request failed", async () => {
    const h = harness(SIZE, { simpleUploadMax: 0 });
    const pool = new ChunkBufferPool();
    const acquired: Uint8Array[] = [];
    const released: Uint8Array[] = [];
    const acquire = pool.acquire.bind(pool);
    const release = pool.release.bind(pool);
    pool.acquire = (size) => {
      const b = acquire(size);
      acquired.push(b);
      return b;
    };
    pool.release = (b) => {
      released.push(b);
      release(b);
    };
    h.deps.buffers = pool;
    // One buffer per fragment, without read-ahead (test/unit/engine/overlap.test.ts covers it with).
    h.deps.prefetch = "off";
    let reads = 0;
    h.source.read = async (offset, length, expected, _signal, into) => {
      reads++;
      if (!into) throw new Error("no buffer offered");
      const view = into.subarray(0, length);
      view.set(h.source.data.subarray(offset, offset + length));
      void expected;
      return view;
    };
    h.graph.faults.push({ op: "fragment", nth: 2, failure: httpFailure(500) });
    await runToEnd(h);
    expect(h.job.status).toBe("completed");
    expect(h.graph.stored("drive-1", "/folder/file.bin")?.equals(h.source.data)).toBe(true);
    expect(reads).toBe(5);
    expect(acquired).toHaveLength(5);
    expect(released).toHaveLength(4);
    expect(new Set(acquired).size).toBe(2);
  });
});
