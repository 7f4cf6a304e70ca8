/**
 * The job file's text (src/store/fileJobStore.ts keeps each row's JSON, issue 17; format in fileJobDocument.ts):
 * the first write is byte for byte the compacted document serializeRows makes of the rows, and every later write
 * appends exactly ONE line: the record itself when one row changed or was removed since the last write (byte for
 * byte as version 3 wrote it), else `{"batch":[...]}` of every changed row and drop, in order (a lease-only change
 * rides along with the next real one), so a crash can only damage the last line (docs/pipeline.md).
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  appendOf,
  documentOf,
  dropRecord,
  linesOf,
  parseJobFile,
  parseRows,
  serializeRows,
} from "../../../src/store/fileJobDocument.js";
import { FileJobStore } from "../../../src/store/fileJobStore.js";
import { makeJob } from "../../support/pipeline/jobs.js";

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("file job store text", () => {
  it("writes serializeRows of its rows first, then appends exactly the changed rows and drops, in order", async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "gm-jobtext-"));
    const file = path.join(dir, "jobs.json");
    const store = await FileJobStore.open(file, { option: "--state" });
    const jobs = ["a", "b", "c"].map((id) => makeJob({ jobId: id, requestId: "r" }));
    await store.createJobs(jobs);
    const created = await readFile(file, "utf8");
    expect(created).toBe(serializeRows(jobs.map((job) => ({ job, wakeSeq: 0 }))));
    const b = await store.get("b", "r");
    if (!b) throw new Error("b missing");
    const { etag, ...row } = b;
    const leased = await store.replace({ ...row, leaseOwner: "w", leaseUntil: 5 }, etag);
    expect(await readFile(file, "utf8")).toBe(created);
    const { etag: leasedEtag, ...leasedRow } = leased;
    const moved = { ...leasedRow, job: { ...leasedRow.job, confirmedOffset: 7 }, wakeSeq: 3 };
    await store.replace(moved, leasedEtag);
    await store.drop(["a"]);
    await store.close();
    const text = await readFile(file, "utf8");
    expect(text).toBe(created + linesOf([JSON.stringify(moved), dropRecord("a")]));
    const rows = parseRows(text);
    expect(rows?.map((r) => r.job.jobId)).toEqual(["b", "c"]);
    expect(rows?.[0]).toMatchObject({ wakeSeq: 3, leaseOwner: "w", job: { confirmedOffset: 7 } });
    expect(documentOf([])).toBe(serializeRows([]));
    expect(serializeRows([])).toBe('{"version":4}\n');
  });

  it("appends a write of several records as one batch line, in order, and reads it back", async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "gm-jobtext-"));
    const file = path.join(dir, "jobs.json");
    const store = await FileJobStore.open(file, { option: "--state" });
    const job = (jobId: string) => makeJob({ jobId, requestId: "r" });
    const [a, b, c, d] = [job("a"), job("b"), job("c"), job("d")];
    await store.createJobs([a, b]);
    const created = await readFile(file, "utf8");
    await store.createJobs([c, d]);
    const [rowC, rowD] = [c, d].map((job) => JSON.stringify({ job, wakeSeq: 0 }));
    const batch = `{"batch":[${rowC},${rowD}]}\n`;
    const added = `${created}${batch}`;
    expect(await readFile(file, "utf8")).toBe(added);
    // One record stays a plain line, as version 3 wrote it.
    await store.drop(["c"]);
    const dropped = `${added}${linesOf([dropRecord("c")])}`;
    expect(await readFile(file, "utf8")).toBe(dropped);
    await store.drop(["a", "d"]);
    await store.close();
    const text = await readFile(file, "utf8");
    expect(text).toBe(`${dropped}{"batch":[${dropRecord("a")},${dropRecord("d")}]}\n`);
    expect(text.split("\n")).toHaveLength(1 + 2 + 3 + 1);
    expect(parseJobFile(text)).toEqual({ rows: [{ job: b, wakeSeq: 0 }], records: 7, rewrite: false });
    expect(appendOf(["x"])).toBe("x\n");
    expect(appendOf(["x", "y", "z"])).toBe('{"batch":[x,y,z]}\n');
  });
});
