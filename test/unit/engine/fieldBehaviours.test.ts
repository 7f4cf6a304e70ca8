/**
 * The step machine against what the real service does (docs/graph-protocol.md "What the service does that the documentation
 * barely says"), on the in-memory twin: each test asserts the end state and the requests it took.
 */
import { describe, expect, it } from "vitest";
import type { StepResult } from "../../../src/core/job/job.js";
import { GraphFailure } from "../../../src/core/ports/graphFailure.js";
import { DEFAULT_POLICY } from "../../../src/core/upload/policy.js";
import { type Harness, harness, KIB320, runToEnd, stepUntil } from "./harness.js";
import { httpFailure } from "./memoryGraph.js";

const CHUNKS = 4;
const SIZE = CHUNKS * KIB320;

function requests(h: Harness): number {
  return h.graph.calls.length;
}

/** The final fragment lands (the file is committed) but its answer never comes back: a timeout. */
function loseFinalAnswer(h: Harness): void {
  h.graph.faults.push({
    op: "fragment",
    nth: CHUNKS,
    landed: true,
    failure: new GraphFailure({ kind: "timeout", message: "no answer" }),
  });
}

function waits(results: StepResult[]): number[] {
  return results.flatMap((r) => (r.next.type === "wait" ? [r.next.ms] : []));
}

describe("step machine on the field behaviours", () => {
  it("a commit that fails after the last byte is committed from the kept session (sourceUrl)", async () => {
    const h = harness(SIZE, { simpleUploadMax: 0 });
    h.graph.failNextCommit = 500;
    const { results } = await runToEnd(h);
    expect(h.job.status).toBe("completed");
    expect(h.job.result?.verification).toBe("hash");
    expect(h.graph.stored("drive-1", "/folder/file.bin")?.equals(h.source.data)).toBe(true);
    // create + 4 fragments + one status + one commit: a handful of extra requests, not hundreds.
    expect(h.graph.count("fragment")).toBe(CHUNKS);
    expect(h.graph.count("status")).toBe(1);
    expect(h.graph.count("commit")).toBe(1);
    expect(requests(h)).toBe(1 + CHUNKS + 2);
    expect(h.job.attempts.requests).toBe(requests(h));
    expect(waits(results)).toHaveLength(1);
  });

  it("a commit that keeps failing ends in a reason after a bounded number of paced requests", async () => {
    const h = harness(SIZE, { simpleUploadMax: 0 });
    h.graph.failNextCommit = 500;
    h.graph.faults.push({ op: "commit", nth: 1, sticky: true, failure: httpFailure(500) });
    const { results } = await runToEnd(h);
    expect(h.job.status).toBe("failed");
    expect(h.job.lastError?.code).toBe("server-error");
    // The session is deleted: it would block the file's next upload.
    expect(h.graph.count("cancel")).toBe(1);
    expect(h.graph.sessions.size).toBe(0);
    expect(h.graph.count("commit")).toBe(DEFAULT_POLICY.maxRetries + 1);
    expect(requests(h)).toBeLessThan(1 + CHUNKS + 2 * DEFAULT_POLICY.maxRetries + 3);
    // Every step that moved no bytes after the failure waited first.
    expect(waits(results).length).toBeGreaterThanOrEqual(DEFAULT_POLICY.maxRetries);
  });

  it("a lost createUploadSession answer: the orphan blocks the file, the job waits it out, then uploads", async () => {
    const h = harness(SIZE, { simpleUploadMax: 0 });
    h.graph.faults.push({ op: "create", nth: 1, landed: true, failure: httpFailure(504) });
    const started = h.clock.now();
    const { results, events } = await runToEnd(h);
    expect(h.job.status).toBe("completed");
    expect(h.graph.stored("drive-1", "/folder/file.bin")?.equals(h.source.data)).toBe(true);
    // The orphan lives 15 minutes on the twin: the job waited at least that long, in ten requests at most
    // (backoff from 15 s, doubling up to 5 min).
    expect(h.clock.now() - started).toBeGreaterThanOrEqual(15 * 60_000);
    expect(h.graph.count("create")).toBeLessThanOrEqual(10);
    expect(waits(results).every((ms) => ms >= 500)).toBe(true);
    const busy = events.filter((e) => e.type === "retrying" && e.reason === "session-busy");
    expect(busy.length).toBeGreaterThan(0);
    for (const e of busy) expect(JSON.stringify(e)).not.toContain("--conflict");
  });

  it("a file held by another session past the cap fails with what to do, never with conflict advice", async () => {
    const h = harness(SIZE, { simpleUploadMax: 0, policy: { sessionBusyMaxWaitMs: 5 * 60_000 } });
    h.graph.faults.push({ op: "create", nth: 1, landed: true, failure: httpFailure(504) });
    await runToEnd(h);
    expect(h.job.status).toBe("failed");
    expect(h.job.lastError?.code).toBe("session-busy");
    expect(h.job.lastError?.message).toContain("retry later");
    expect(h.job.lastError?.message).not.toContain("--conflict");
    expect(h.graph.count("create")).toBeLessThanOrEqual(7);
  });

  it("under conflict fail, a 409 with an item at the path is a name conflict; without one, a busy file", async () => {
    const h = harness(SIZE, { simpleUploadMax: 0 });
    h.job = { ...h.job, conflictBehavior: "fail" };
    h.graph.faults.push({
      op: "create",
      nth: 1,
      failure: httpFailure(409, { codes: ["nameAlreadyExists"] }),
    });
    const result = await stepUntil(h, (j) => j.lastError !== undefined).then(() => h.job);
    expect(result.lastError?.code).toBe("session-busy");
    expect(h.graph.count("getItem")).toBe(1);
  });

  it("restarting a session the server has not declared gone deletes it first", async () => {
    const h = harness(SIZE, { simpleUploadMax: 0 });
    await stepUntil(h, (j) => j.confirmedOffset > 0);
    // Inside our 60 s safety margin but not yet expired on the server: without a DELETE first, the new
    // createUploadSession would get 409 (one live session per file).
    h.clock.advance(15 * 60_000 - 30_000);
    const { events } = await runToEnd(h);
    expect(h.job.status).toBe("completed");
    expect(h.graph.count("cancel")).toBe(1);
    expect(h.graph.count("create")).toBe(2);
    expect(events.some((e) => e.type === "retrying" && e.reason === "session-busy")).toBe(false);
  });

  it("a hash that appears late is awaited briefly; one that never appears gives size-only with a warning", async () => {
    const late = harness(SIZE, { simpleUploadMax: 0 });
    late.graph.hashHiddenReads = 1;
    await runToEnd(late);
    expect(late.job.result?.verification).toBe("hash");
    expect(late.graph.count("getItem")).toBe(1);

    const never = harness(SIZE, { simpleUploadMax: 0 });
    never.graph.hashHiddenReads = 100;
    const { events } = await runToEnd(never);
    expect(never.job.status).toBe("completed");
    expect(never.job.result?.verification).toBe("size-only");
    expect(never.job.result?.warning).toContain("did not provide a QuickXorHash");
    expect(events).toContainEqual({ type: "warning", message: never.job.result?.warning });
    expect(never.graph.count("getItem")).toBe(DEFAULT_POLICY.hashRereads);
  });

  it("an empty file without a hash is verified by size at once", async () => {
    const h = harness(0);
    h.graph.hashHiddenReads = 100;
    await runToEnd(h);
    expect(h.job.result).toMatchObject({ verification: "size-only", size: 0 });
    expect(requests(h)).toBe(1);
  });

  it("the final fragment gets the long deadline, the others the default", async () => {
    const h = harness(SIZE, { simpleUploadMax: 0 });
    await runToEnd(h);
    expect(h.graph.fragmentTimeouts).toEqual([
      undefined,
      undefined,
      undefined,
      DEFAULT_POLICY.finalFragmentTimeoutMs,
    ]);
  });

  it("a final answer lost after the commit: the item found is ours, nothing is sent again", async () => {
    const h = harness(SIZE, { simpleUploadMax: 0 });
    loseFinalAnswer(h);
    await runToEnd(h);
    expect(h.job.status).toBe("completed");
    expect(h.job.result?.verification).toBe("hash");
    expect(h.graph.count("fragment")).toBe(CHUNKS);
    expect(h.graph.count("create")).toBe(1);
    // status 404, a wait, status 404 again (gone), then the item by path.
    expect(h.graph.count("status")).toBe(2);
    expect(h.graph.count("getItem")).toBe(1);
  });

  it("a slow commit of an Office file the service rewrote is taken as ours, not uploaded a second time", async () => {
    const h = harness(SIZE, { simpleUploadMax: 0, path: "/folder/report.docx" });
    h.graph.modifyStored = (_path, bytes) => Buffer.concat([bytes, Buffer.from("promoted")]);
    loseFinalAnswer(h);
    await runToEnd(h);
    expect(h.job.status).toBe("completed");
    expect(h.job.result?.verification).toBe("size-only");
    expect(h.graph.count("fragment")).toBe(CHUNKS);
    expect(h.graph.count("create")).toBe(1);
  });

  it("an item at the path from before our session is not taken as proof", async () => {
    const h = harness(SIZE, { simpleUploadMax: 0 });
    // An older copy with the same bytes sits at the path, last modified long before our session.
    h.graph.items.set("drive-1:/folder/file.bin", { bytes: h.source.data, id: "old", modifiedAt: 0 });
    h.graph.faults.push({ op: "fragment", nth: CHUNKS, failure: httpFailure(404) });
    h.graph.faults.push({ op: "status", nth: 1, sticky: true, failure: httpFailure(404) });
    h.graph.oneSessionPerFile = false;
    await stepUntil(h, (j) => j.attempts.sessions === 2);
    expect(h.graph.count("getItem")).toBe(1);
    expect(h.job.confirmedOffset).toBe(0);
  });

  it("createUploadSession 404 under missing folders creates them once, then the session", async () => {
    const h = harness(SIZE, { simpleUploadMax: 0, path: "/new/deeper/file.bin" });
    h.graph.faults.push({ op: "create", nth: 1, failure: httpFailure(404, { codes: ["itemNotFound"] }) });
    await runToEnd(h);
    expect(h.job.status).toBe("completed");
    expect(h.graph.count("folders")).toBe(1);
    expect(h.graph.count("create")).toBe(2);

    const g = harness(SIZE, { simpleUploadMax: 0, path: "/new/file.bin" });
    g.graph.faults.push({ op: "create", nth: 1, sticky: true, failure: httpFailure(404) });
    await runToEnd(g);
    expect(g.job.status).toBe("failed");
    expect(g.job.lastError?.code).toBe("not-found");
    expect(g.graph.count("folders")).toBe(1);
  });

  it("no path loops: a server that never progresses gets paced requests and the job ends", async () => {
    const h = harness(SIZE, { simpleUploadMax: 0 });
    h.graph.faults.push({ op: "fragment", nth: 1, sticky: true, failure: httpFailure(416) });
    const { results } = await runToEnd(h);
    expect(h.job.status).toBe("failed");
    // After two steps without new bytes, a step that would only ask again (the status) always waits first.
    const askedAtOnce = results.filter(
      (r) => r.next.type === "continue" && (r.job.attempts.idleSteps ?? 0) > 2 && r.job.resyncPending,
    );
    expect(askedAtOnce).toEqual([]);
    expect(waits(results).length).toBeGreaterThan(3);
    expect(requests(h)).toBeLessThan(40);
  });

  it("the request budget ends a job that keeps the service busy, with the reason, deleting its session", async () => {
    const h = harness(SIZE, { simpleUploadMax: 0, policy: { requestBudget: { base: 3, perChunk: 1 } } });
    // Fragments land but every answer is lost: bytes move, so the retry budget never runs out.
    for (let nth = 1; nth <= CHUNKS; nth++) {
      h.graph.faults.push({ op: "fragment", nth, landed: true, failure: httpFailure(502) });
    }
    await runToEnd(h);
    expect(h.job.status).toBe("failed");
    expect(h.job.lastError?.code).toBe("request-budget");
    expect(h.job.lastError?.message).toContain("budget");
    expect(requests(h)).toBeLessThanOrEqual(3 + CHUNKS + 1);
    expect(h.graph.sessions.size).toBe(0);
  });
});
