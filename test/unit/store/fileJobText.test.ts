/**
 * The job file's text (src/store/fileJobStore.ts keeps each row's JSON and joins them, issue 17) is byte for byte
 * the document serializeRows makes of the same rows, through creates, lease-only and real changes, and drops.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { documentOf, parseRows, serializeRows } from "../../../src/store/fileJobDocument.js";
import { FileJobStore } from "../../../src/store/fileJobStore.js";
import { makeJob } from "../../support/pipeline/jobs.js";

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("file job store text", () => {
  it("writes exactly serializeRows of its rows, in their order, after every kind of change", async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "gm-jobtext-"));
    const file = path.join(dir, "jobs.json");
    const store = await FileJobStore.open(file, { option: "--state" });
    const jobs = ["a", "b", "c"].map((id) => makeJob({ jobId: id, requestId: "r" }));
    await store.createJobs(jobs);
    const b = await store.get("b", "r");
    if (!b) throw new Error("b missing");
    const { etag, ...row } = b;
    const leased = await store.replace({ ...row, leaseOwner: "w", leaseUntil: 5 }, etag);
    const { etag: leasedEtag, ...leasedRow } = leased;
    await store.replace(
      { ...leasedRow, job: { ...leasedRow.job, confirmedOffset: 7 }, wakeSeq: 3 },
      leasedEtag,
    );
    await store.drop(["a"]);
    await store.close();
    const text = await readFile(file, "utf8");
    const rows = parseRows(text);
    expect(rows?.map((r) => r.job.jobId)).toEqual(["b", "c"]);
    expect(rows?.[0]).toMatchObject({ wakeSeq: 3, leaseOwner: "w", job: { confirmedOffset: 7 } });
    expect(text).toBe(serializeRows(rows ?? []));
    expect(documentOf([])).toBe(serializeRows([]));
  });
});
