/**
 * The job file as a journal (src/store/fileJobJournal.ts, format in src/store/fileJobDocument.ts): a write appends
 * only the rows that changed, the file is compacted once it holds mostly stale records, a torn last line (a write
 * a crash cut short) is ignored and never appended after, damage elsewhere is refused, older versions are read and
 * rewritten, and the file stays 0600 throughout (it holds upload URLs; docs/design.md invariant 5).
 */
import { appendFile, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { UploadJob } from "../../../src/core/job/job.js";
import { ConfigError } from "../../../src/core/shared/validationError.js";
import { dropRecord, parseJobFile, serializeRows } from "../../../src/store/fileJobDocument.js";
import { FileJobStore } from "../../../src/store/fileJobStore.js";
import { makeJob } from "../../support/pipeline/jobs.js";
import { tempDirsPerTest } from "../../support/tempDirs.js";

const dirs = tempDirsPerTest("gm-journal-");
const jobFile = async () => path.join(await dirs.make(), "jobs.json");

const open = (file: string) => FileJobStore.open(file, { option: "--state" });

const withUrl = (job: UploadJob): UploadJob => ({
  ...job,
  session: { uploadUrl: `https://u/${job.jobId}?tempauth=secret`, createdAt: 1, expiresAt: 2 },
});

async function createRows(store: FileJobStore, count: number, requestId = "r"): Promise<UploadJob[]> {
  const jobs = Array.from({ length: count }, (_, i) => withUrl(makeJob({ jobId: `j${i}`, requestId })));
  await store.createJobs(jobs);
  return jobs;
}

/**
 * One step of each of these jobs in ONE write (every replace is called before the shared write begins): a new
 * confirmed offset, on disk when it resolves (not a lease-only change).
 */
async function stepTogether(store: FileJobStore, jobIds: readonly string[], offset: number): Promise<void> {
  const rows = await Promise.all(jobIds.map((jobId) => store.get(jobId)));
  await Promise.all(
    rows.map((row) => {
      if (!row) throw new Error("row missing");
      const { etag, ...rest } = row;
      return store.replace({ ...rest, job: { ...rest.job, confirmedOffset: offset } }, etag);
    }),
  );
}

const step = (store: FileJobStore, jobId: string, offset: number) => stepTogether(store, [jobId], offset);

/** The confirmed offsets of the file's jobs, in the store's order, as the next run opens it. */
async function offsetsOnReopen(file: string): Promise<number[]> {
  const store = await open(file);
  try {
    return store.jobs().map((job) => job.confirmedOffset);
  } finally {
    await store.close();
  }
}

/**
 * What a power cut can leave of the last append on a file system that persists its pages in any order (docs/
 * pipeline.md): the file at its full length, the bytes [from, to) of the append that began at byte `start`
 * (fractions of its length) zeros where their page never reached the disk.
 */
async function loseAppendPart(file: string, start: number, from: number, to: number): Promise<void> {
  const bytes = await readFile(file);
  const length = bytes.length - start;
  bytes.fill(0, start + Math.floor(length * from), start + Math.floor(length * to));
  await writeFile(file, bytes);
}

/** Lines after the header; throws unless every line is complete and parses. */
async function linesIn(file: string): Promise<string[]> {
  const text = await readFile(file, "utf8");
  expect(text.endsWith("\n")).toBe(true);
  expect(text.startsWith('{"version":4}\n')).toBe(true);
  const content = parseJobFile(text);
  expect(content?.rewrite).toBe(false);
  return text.split("\n").slice(1, -1);
}

/** Records after the header, a batch line's each on its own (as JSON); throws unless the file parses fully. */
async function recordsIn(file: string): Promise<string[]> {
  const records = (await linesIn(file)).flatMap((line) => {
    const value = JSON.parse(line) as { batch?: unknown[] };
    return value.batch ? value.batch.map((record) => JSON.stringify(record)) : [line];
  });
  expect(parseJobFile(await readFile(file, "utf8"))?.records).toBe(records.length);
  return records;
}

const mode = async (file: string) => (await stat(file)).mode & 0o777;
const inode = async (file: string) => (await stat(file)).ino;

describe("job file journal", () => {
  it("appends one record per step and reads the latest rows back, 0600 after the appends", async () => {
    const file = await jobFile();
    const store = await open(file);
    await createRows(store, 3);
    const created = await inode(file);
    for (let n = 1; n <= 4; n++) for (const id of ["j0", "j1", "j2"]) await step(store, id, n * 1000);
    await store.close();
    expect(await recordsIn(file)).toHaveLength(3 + 12);
    // Appended, never replaced: the file created first is the one written to since.
    expect(await inode(file)).toBe(created);
    expect(await mode(file)).toBe(0o600);
    const again = await open(file);
    expect(again.jobs().map((job) => [job.jobId, job.confirmedOffset])).toEqual([
      ["j0", 4000],
      ["j1", 4000],
      ["j2", 4000],
    ]);
    expect(again.peek("j1")?.session?.uploadUrl).toBe("https://u/j1?tempauth=secret");
    await again.close();
  });

  it("writes what changed, not every row: changing 1 of 500 rows appends under 2 KiB to the same file", async () => {
    const file = await jobFile();
    const store = await open(file);
    await createRows(store, 500);
    const before = await readFile(file, "utf8");
    const created = await inode(file);
    await step(store, "j250", 327_680);
    const after = await readFile(file, "utf8");
    // A whole-file rewrite (temp file and rename) would make a new inode and rewrite all 500 rows.
    expect(await inode(file)).toBe(created);
    expect(after.startsWith(before)).toBe(true);
    expect(Buffer.byteLength(after) - Buffer.byteLength(before)).toBeLessThan(2048);
    expect(before.length).toBeGreaterThan(500 * 200);
    await store.close();
    expect((await FileJobStore.read(file, "--state")).get("j250")?.confirmedOffset).toBe(327_680);
  });

  it("compacts once records exceed 2 x live rows + 64, keeping exactly the live rows, 0600", async () => {
    const file = await jobFile();
    const store = await open(file);
    await createRows(store, 10);
    const created = await inode(file);
    // 10 live rows allow 2 x 10 + 64 = 84 records: 10 created, then 74 steps append.
    for (let n = 1; n <= 74; n++) await step(store, `j${n % 10}`, n);
    expect(await recordsIn(file)).toHaveLength(84);
    expect(await inode(file)).toBe(created);
    await step(store, "j5", 75);
    const compacted = await recordsIn(file);
    expect(compacted).toHaveLength(10);
    expect(compacted.map((line) => (JSON.parse(line) as { job: UploadJob }).job.jobId)).toEqual(
      Array.from({ length: 10 }, (_, i) => `j${i}`),
    );
    expect(await inode(file)).not.toBe(created);
    expect(await mode(file)).toBe(0o600);
    // Appends go on in the compacted file (the handle was reopened on it), still 0600.
    await step(store, "j3", 76);
    expect(await recordsIn(file)).toHaveLength(11);
    expect(await mode(file)).toBe(0o600);
    await store.close();
    const again = await open(file);
    expect(again.peek("j5")?.confirmedOffset).toBe(75);
    expect(again.peek("j3")?.confirmedOffset).toBe(76);
    expect(again.peek("j4")?.confirmedOffset).toBe(74);
    await again.close();
  });

  it("writes drops as records, compacts them away, and deletes the file when no row is left", async () => {
    const file = await jobFile();
    const store = await open(file);
    await createRows(store, 4);
    await store.drop(["j1"]);
    expect((await recordsIn(file)).at(-1)).toBe(dropRecord("j1"));
    expect([...(await FileJobStore.read(file, "--state")).keys()]).toEqual(["j0", "j2", "j3"]);
    // 7 records for 1 live row is under 2 x 1 + 64: a small file is appended to, not compacted.
    await store.retain(["j2"]);
    expect(await recordsIn(file)).toHaveLength(4 + 1 + 2);
    // The two drops of one write are one line (fileJobDocument.ts).
    expect((await linesIn(file)).at(-1)).toBe(`{"batch":[${dropRecord("j0")},${dropRecord("j3")}]}`);
    await store.drop(["j2"]);
    await expect(stat(file)).rejects.toThrow(/ENOENT/);
    // Rows again after the file was deleted: created anew (0600), not appended to a missing file.
    await createRows(store, 2, "r2");
    expect(await recordsIn(file)).toHaveLength(2);
    expect(await mode(file)).toBe(0o600);
    await store.close();
    expect([...(await FileJobStore.read(file, "--state")).keys()]).toEqual(["j0", "j1"]);
  });

  it("compacts after a drop of most of a large file's rows", async () => {
    const file = await jobFile();
    const store = await open(file);
    await createRows(store, 100);
    await store.retain(["j7", "j8"]);
    // 100 rows and 98 drops are more than 2 x 2 + 64 records: the drops' write compacts instead.
    expect(await recordsIn(file)).toHaveLength(2);
    await store.close();
  });

  it("never creates the file by appending, and rewrites it whole after a failed append", async () => {
    const file = await jobFile();
    const store = await open(file);
    await createRows(store, 3);
    // Removed under the store before its first append: the append handle is opened without O_CREAT, so no
    // file with the umask's mode appears, and the step fails rather than report a state that is not on disk.
    await rm(file);
    await expect(step(store, "j1", 10)).rejects.toThrow(/ENOENT/);
    await expect(stat(file)).rejects.toThrow(/ENOENT/);
    // The next write cannot know what the failed one left: it writes every row again, 0600.
    await step(store, "j2", 20);
    expect(await recordsIn(file)).toHaveLength(3);
    expect(await mode(file)).toBe(0o600);
    await store.close();
    expect(await offsetsOnReopen(file)).toEqual([0, 10, 20]);
  });

  it("writes every row again when the file was deleted under the store after its first append", async () => {
    const file = await jobFile();
    const store = await open(file);
    await createRows(store, 3);
    await step(store, "j0", 10);
    // The append handle is open now: an append would land in the deleted inode and be lost to the next run.
    await rm(file);
    await step(store, "j1", 20);
    expect(await recordsIn(file)).toHaveLength(3);
    expect(await mode(file)).toBe(0o600);
    await store.close();
    expect(await offsetsOnReopen(file)).toEqual([10, 20, 0]);
  });

  it("ignores a torn last line, and the next write leaves a file that parses fully", async () => {
    const file = await jobFile();
    const store = await open(file);
    await createRows(store, 2);
    await step(store, "j0", 111);
    await store.close();
    const whole = await readFile(file, "utf8");
    const lastLine = whole.split("\n").at(-2) ?? "";
    // Half of a record a crash cut short, without its newline.
    await appendFile(file, lastLine.replace("111", "999").slice(0, Math.floor(lastLine.length / 2)));
    // Beside a running process (status, no lock), the torn line is an append in progress: ignored.
    expect((await FileJobStore.read(file, "--state")).get("j0")?.confirmedOffset).toBe(111);
    const again = await open(file);
    expect(again.peek("j0")?.confirmedOffset).toBe(111);
    await step(again, "j1", 222);
    await again.close();
    // Compacted rather than appended after the torn bytes.
    expect(await recordsIn(file)).toHaveLength(2);
    expect(await mode(file)).toBe(0o600);
    const third = await open(file);
    expect(third.peek("j0")?.confirmedOffset).toBe(111);
    expect(third.peek("j1")?.confirmedOffset).toBe(222);
    await third.close();
  });

  it("ignores a last line that ended but is not a record (a crash that lost the rest of it)", async () => {
    const file = await jobFile();
    const store = await open(file);
    await createRows(store, 1);
    await store.close();
    await appendFile(file, '{"wakeSeq":1,"job":{"jobId":"j0",\n');
    const again = await open(file);
    expect(again.peek("j0")?.confirmedOffset).toBe(0);
    await step(again, "j0", 5);
    await again.close();
    expect(await recordsIn(file)).toHaveLength(1);
  });

  it("keeps the rows before a multi-row append a power cut damaged anywhere, never refusing the file", async () => {
    // Zeros at the start of the append (its newline kept), in its middle (a later page kept, an earlier one a
    // hole), and at its end (newline lost). Version 3 wrote the rows as three lines: the first two made a bad
    // line before the last (the file refused), the third kept j0 alone of the three (the append half applied).
    for (const [from, to] of [
      [0, 0.5],
      [0.3, 0.6],
      [0.5, 1],
    ] as const) {
      const file = await jobFile();
      const store = await open(file);
      await createRows(store, 4);
      await step(store, "j3", 50);
      const start = (await stat(file)).size;
      await stepTogether(store, ["j0", "j1", "j2"], 777);
      await store.close();
      expect(await linesIn(file)).toHaveLength(4 + 1 + 1);
      await loseAppendPart(file, start, from, to);
      const before = [0, 0, 0, 50];
      const seen = await FileJobStore.read(file, "--state");
      expect([...seen.values()].map((job) => job.confirmedOffset)).toEqual(before);
      const again = await open(file);
      expect(again.jobs().map((job) => job.confirmedOffset)).toEqual(before);
      await step(again, "j1", 888);
      await again.close();
      // Compacted rather than appended after the damaged line: every line parses.
      expect(await recordsIn(file)).toHaveLength(4);
      expect(await offsetsOnReopen(file)).toEqual([0, 888, 0, 50]);
    }
  });

  it("reads a version 3 file as before and rewrites it as version 4 on the first write", async () => {
    const file = await jobFile();
    const job = (jobId: string) => withUrl(makeJob({ jobId }));
    const [a, b, c] = [job("a"), job("b"), job("c")];
    const row = (job: UploadJob, confirmedOffset: number) =>
      JSON.stringify({ job: { ...job, confirmedOffset }, wakeSeq: 0 });
    const lines = ['{"version":3}', row(a, 0), row(b, 0), row(c, 0), row(a, 5), dropRecord("c"), row(b, 6)];
    const v3 = `${lines.join("\n")}\n`;
    await writeFile(file, v3, { mode: 0o600 });
    const store = await open(file);
    expect(store.jobs().map((job) => [job.jobId, job.confirmedOffset])).toEqual([
      ["a", 5],
      ["b", 6],
    ]);
    expect(await readFile(file, "utf8")).toBe(v3);
    await step(store, "a", 7);
    await store.close();
    expect(await readFile(file, "utf8")).toBe(
      serializeRows([
        { job: { ...a, confirmedOffset: 7 }, wakeSeq: 0 },
        { job: { ...b, confirmedOffset: 6 }, wakeSeq: 0 },
      ]),
    );
    expect(await recordsIn(file)).toHaveLength(2);
    // Version 3 held no batch lines: one before its last line is damage, as any bad line was.
    const batch = `{"batch":[${row(a, 9)},${row(b, 9)}]}`;
    const v3Damaged = `${[...lines.slice(0, 3), batch, ...lines.slice(3)].join("\n")}\n`;
    await writeFile(file, v3Damaged);
    await expect(open(file)).rejects.toThrow(/is not a graph-mirror upload state file/);
    expect(await readFile(file, "utf8")).toBe(v3Damaged);
  });

  it("refuses a file with a bad line before the last, or an unknown header, and leaves it as it was", async () => {
    const file = await jobFile();
    const store = await open(file);
    await createRows(store, 3);
    await store.close();
    const lines = (await readFile(file, "utf8")).split("\n");
    const damaged = [lines[0], lines[1], "{not json", lines[3], ""].join("\n");
    await writeFile(file, damaged);
    const message = /--state: .* is not a graph-mirror upload state file; choose another path/;
    await expect(open(file)).rejects.toThrow(ConfigError);
    await expect(open(file)).rejects.toThrow(message);
    await expect(FileJobStore.read(file, "--state")).rejects.toThrow(message);
    expect(await readFile(file, "utf8")).toBe(damaged);
    // Version 4 writes one line per append, so a crash cannot damage a line before the last: zeros there, or a
    // batch holding something that is not a record, are damage.
    const zeros = "\0".repeat(lines[2]?.length ?? 0);
    const batchOf = (...records: string[]) => `{"batch":[${records.join(",")}]}`;
    for (const bad of [zeros, batchOf(lines[2] ?? "", "{}"), batchOf(), `{"batch":[${lines[2]}],"x":1}`]) {
      const damagedHere = [lines[0], lines[1], bad, lines[3], ""].join("\n");
      await writeFile(file, damagedHere);
      await expect(open(file)).rejects.toThrow(message);
      expect(await readFile(file, "utf8")).toBe(damagedHere);
    }
    // The same place holding a whole batch is read.
    const batched = [lines[0], lines[1], batchOf(lines[2] ?? "", dropRecord("j0")), lines[3], ""].join("\n");
    await writeFile(file, batched);
    expect([...(await FileJobStore.read(file, "--state")).keys()]).toEqual(["j1", "j2"]);
    // Two torn lines cannot come from one unfinished write.
    const twoTorn = [lines[0], lines[1], "{not json", "{nor this"].join("\n");
    await writeFile(file, twoTorn);
    await expect(open(file)).rejects.toThrow(message);
    for (const header of ['{"version":5}', '{"version":"4"}', "[4]"]) {
      const foreign = [header, lines[1], ""].join("\n");
      await writeFile(file, foreign);
      await expect(open(file)).rejects.toThrow(message);
      expect(await readFile(file, "utf8")).toBe(foreign);
    }
  });

  it("reads a version 2 and a version 1 file and rewrites it as version 4 on the first write", async () => {
    const file = await jobFile();
    const [a, b] = [withUrl(makeJob({ jobId: "a" })), withUrl(makeJob({ jobId: "b" }))];
    const versions = [
      JSON.stringify({
        version: 2,
        rows: [
          { job: a, wakeSeq: 4 },
          { job: b, wakeSeq: 0 },
        ],
      }),
      JSON.stringify({ version: 1, jobs: { "k-a": a, "k-b": b } }, null, 2),
    ];
    for (const old of versions) {
      await writeFile(file, old, { mode: 0o644 });
      const store = await open(file);
      expect(store.jobs()).toEqual([a, b]);
      // Opening alone writes nothing.
      expect(await readFile(file, "utf8")).toBe(old);
      await step(store, "b", 9);
      await store.close();
      const wakeSeq = old.includes('"version":2') ? 4 : 0;
      expect(await readFile(file, "utf8")).toBe(
        serializeRows([
          { job: a, wakeSeq },
          { job: { ...b, confirmedOffset: 9 }, wakeSeq: 0 },
        ]),
      );
      expect(await mode(file)).toBe(0o600);
    }
  });
});
