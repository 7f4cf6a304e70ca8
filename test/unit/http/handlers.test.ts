import path from "node:path";
import { HttpRequest } from "@azure/functions";
import { describe, expect, it } from "vitest";
import { deleteUpload, getUpload, postUpload } from "../../../src/api/uploadHandlers.js";
import { context, harness, jsonRequest, octetRequest } from "../../support/httpApiHarness.js";

const SECRET_URL = "https://upload.example/up/session-token-SECRET?tempauth=SECRET";

function requestFor(method: string, id: string): HttpRequest {
  return new HttpRequest({ method, url: `http://localhost:7071/api/uploads/${id}`, params: { id } });
}

describe("POST /api/uploads", () => {
  it("creates one queued job per destination and wakes each once", async () => {
    const h = harness();
    const response = await postUpload(h.deps)(
      jsonRequest({
        source: { type: "file", path: path.join(h.root, "ok.bin") },
        destinations: [
          { type: "drive", driveId: "b!abc", path: "/in/" },
          { type: "onedrive", user: "adele@contoso.com", path: "/backup/copy.bin" },
        ],
        conflictBehavior: "rename",
      }),
      context(),
    );
    expect(response.status).toBe(202);
    const answer = (await response.json()) as {
      id: string;
      statusUrl: string;
      jobs: { id: string; destination: { path: string }; status: string }[];
    };
    expect(answer.id).toBe("req-1");
    expect(answer.statusUrl).toBe("http://localhost:7071/api/uploads/req-1");
    expect(response.headers.get("location")).toBe(answer.statusUrl);
    expect(answer.jobs.map((j) => [j.id, j.destination.path, j.status])).toEqual([
      ["req-1-1", "/in/ok.bin", "queued"],
      ["req-1-2", "/backup/copy.bin", "queued"],
    ]);
    const stored = await h.store.listByRequest("req-1");
    expect(stored.map((s) => s.job.conflictBehavior)).toEqual(["rename", "rename"]);
    expect(stored[0]?.job.source).toEqual({ type: "file", path: path.join(h.root, "ok.bin") });
    expect(h.queue.sent).toEqual([
      { message: { jobId: "req-1-1", wakeSeq: 0, requestId: "req-1" }, delayMs: 0 },
      { message: { jobId: "req-1-2", wakeSeq: 0, requestId: "req-1" }, delayMs: 0 },
    ]);
  });

  it("accepts a public https URL and a configured blob container", async () => {
    const h = harness();
    const url = await postUpload(h.deps)(
      jsonRequest({
        source: { type: "url", url: "https://93.184.215.14/files/report.pdf?sig=abc" },
        destinations: [{ type: "drive", driveId: "b!abc", path: "/" }],
      }),
      context(),
    );
    expect(url.status).toBe(202);
    const blob = await postUpload(h.deps)(
      jsonRequest({
        source: { type: "blob", container: "incoming", blob: "x/y.bin" },
        destinations: [
          {
            type: "sharepoint",
            site: "https://contoso.sharepoint.com/sites/Ops",
            library: "Documents",
            path: "/z/",
          },
        ],
      }),
      context(),
    );
    expect(blob.status).toBe(202);
    const jobs = [...(await h.store.listByRequest("req-1")), ...(await h.store.listByRequest("req-2"))];
    expect(jobs.map((s) => s.job.destination.path)).toEqual(["/report.pdf", "/z/y.bin"]);
    expect(jobs.map((s) => s.job.conflictBehavior)).toEqual(["replace", "replace"]);
  });

  it("allows a private network only when URL_SOURCE_ALLOWED_NETWORKS lists it, never metadata", async () => {
    const h = harness({ URL_SOURCE_ALLOWED_NETWORKS: "127.0.0.0/8, 169.254.0.0/16" });
    const post = (url: string) =>
      postUpload(h.deps)(
        jsonRequest({
          source: { type: "url", url },
          destinations: [{ type: "drive", driveId: "d", path: "/a" }],
        }),
        context(),
      );
    expect((await post("https://127.0.0.1:8443/a.bin")).status).toBe(202);
    expect((await post("https://169.254.169.254/metadata")).status).toBe(400);
    expect((await post("https://10.0.0.1/a.bin")).status).toBe(400);
  });

  it("stages an octet-stream body and makes the staged blob the job's source", async () => {
    const h = harness();
    const response = await postUpload(h.deps)(
      octetRequest("?to=drive:b!abc:/in/&name=data.bin&code=functionkey", new Uint8Array(100)),
      context(),
    );
    expect(response.status).toBe(202);
    expect(h.staged).toEqual(["req-1/data.bin"]);
    const [stored] = await h.store.listByRequest("req-1");
    expect(stored?.job.source).toEqual({
      type: "blob",
      container: "graph-mirror-staging",
      blob: "req-1/data.bin",
    });
    expect(stored?.job.destination).toEqual({ type: "drive", driveId: "b!abc", path: "/in/data.bin" });
  });
});

describe("GET and DELETE /api/uploads/{id}", () => {
  async function withSession() {
    const h = harness();
    await postUpload(h.deps)(
      jsonRequest({
        source: { type: "blob", container: "incoming", blob: "big.bin" },
        destinations: [{ type: "drive", driveId: "b!abc", path: "/big.bin" }],
      }),
      context(),
    );
    const [stored] = await h.store.listByRequest("req-1");
    if (!stored) throw new Error("job not created");
    await h.store.replace(
      {
        ...stored,
        job: {
          ...stored.job,
          status: "uploading",
          confirmedOffset: 20 * 1024 * 1024,
          fingerprint: { size: 50 * 1024 * 1024, version: "etag" },
          session: { uploadUrl: SECRET_URL, createdAt: 1, expiresAt: 2 },
        },
      },
      stored.etag,
    );
    return h;
  }

  it("reports per-destination progress and never the upload URL", async () => {
    const h = await withSession();
    const response = await getUpload(h.deps)(requestFor("GET", "req-1"), context());
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).not.toContain("SECRET");
    expect(text).not.toContain("upload.example");
    expect(text).not.toContain("uploadUrl");
    const answer = JSON.parse(text) as { done: boolean; jobs: Record<string, unknown>[] };
    expect(answer.done).toBe(false);
    expect(answer.jobs[0]).toMatchObject({
      id: "req-1-1",
      status: "uploading",
      bytesConfirmed: 20 * 1024 * 1024,
      size: 50 * 1024 * 1024,
    });
  });

  it("answers 404 for an unknown id and 400 for a malformed one", async () => {
    const h = harness();
    expect((await getUpload(h.deps)(requestFor("GET", "nope"), context())).status).toBe(404);
    const bad = await getUpload(h.deps)(requestFor("GET", "a#b"), context());
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('"field":"id"');
  });

  it("asks the worker to cancel every active job, waking idle ones at once", async () => {
    const h = await withSession();
    const response = await deleteUpload(h.deps)(requestFor("DELETE", "req-1"), context());
    expect(response.status).toBe(202);
    expect(h.cancelled).toEqual(["req-1-1"]);
    const text = await response.text();
    expect(text).not.toContain("SECRET");
    expect(JSON.parse(text)).toMatchObject({ done: false, jobs: [{ status: "uploading" }] });
    const [row] = await h.store.listByRequest("req-1");
    expect(row?.cancelRequested).toBe(true);
    expect(row?.wakeSeq).toBe(1);
    expect(h.queue.sent.at(-1)).toEqual({
      message: { jobId: "req-1-1", requestId: "req-1", wakeSeq: 1 },
      delayMs: 0,
    });
  });

  it("only raises the flag on a job a worker holds, and cancels nothing twice", async () => {
    const h = await withSession();
    const [row] = await h.store.listByRequest("req-1");
    if (!row) throw new Error("no job");
    await h.store.replace(
      { ...row, leaseOwner: "worker-1", leaseUntil: h.deps.clock.now() + 60_000 },
      row.etag,
    );
    const sentBefore = h.queue.sent.length;
    await deleteUpload(h.deps)(requestFor("DELETE", "req-1"), context());
    await deleteUpload(h.deps)(requestFor("DELETE", "req-1"), context());
    const [after] = await h.store.listByRequest("req-1");
    expect(after?.cancelRequested).toBe(true);
    expect(after?.wakeSeq).toBe(0);
    expect(after?.leaseOwner).toBe("worker-1");
    expect(h.queue.sent.length).toBe(sentBefore);
  });
});
