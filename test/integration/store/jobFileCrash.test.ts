/**
 * The job file journal (src/store/fileJobJournal.ts) under SIGKILL: a child process (the built store in dist/, as
 * the CLI loads it) steps 8 large rows concurrently (one write, one batch line per round: fileJobDocument.ts),
 * appending and now and then compacting, and is killed at a different point each round. Every file it leaves
 * must open, hold every row, and hold at least the last state the child saw acknowledged (persist-before-use).
 * A kill rarely lands inside a `write` call (a page-cache copy), so torn last lines (and a power cut's lost
 * pages) are tested deterministically in test/unit/store/fileJobJournal.test.ts.
 */
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { parseJobFile } from "../../../src/store/fileJobDocument.js";
import { FileJobStore } from "../../../src/store/fileJobStore.js";
import { ensureBuilt, REPO_DIR } from "../../support/builtApp.js";
import { makeJob } from "../../support/pipeline/jobs.js";
import { tempDirsPerTest } from "../../support/tempDirs.js";

const SCRIPT = `
const { FileJobStore } = await import(process.env.STORE_MODULE);
const jobs = JSON.parse(process.env.JOBS);
const store = await FileJobStore.open(process.env.JOB_FILE, { option: "--state" });
if (store.jobs().length === 0) await store.createJobs(jobs);
for (let offset = 1; ; offset++) {
  await Promise.all(jobs.map(async ({ jobId }) => {
    const { etag, ...row } = await store.get(jobId);
    await store.replace({ ...row, job: { ...row.job, confirmedOffset: offset } }, etag);
  }));
  process.stdout.write(offset + "\\n");
}
`;

const dirs = tempDirsPerTest("gm-journal-crash-");
beforeAll(async () => {
  await ensureBuilt();
}, 300_000);

/** Runs the child until it has acknowledged `rounds` rounds (plus what it does before the kill lands). */
async function runAndKill(file: string, jobs: unknown, rounds: number): Promise<number> {
  const module = pathToFileURL(path.join(REPO_DIR, "dist", "src", "store", "fileJobStore.js")).href;
  const child = spawn(process.execPath, ["--input-type=module", "-e", SCRIPT], {
    env: { ...process.env, STORE_MODULE: module, JOB_FILE: file, JOBS: JSON.stringify(jobs) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (data: Buffer) => {
    stderr += data.toString();
  });
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  let acknowledged = 0;
  for await (const line of createInterface({ input: child.stdout })) {
    acknowledged = Number(line);
    if (acknowledged >= rounds) {
      child.kill("SIGKILL");
      break;
    }
  }
  await exited;
  if (acknowledged < rounds) throw new Error(`child ended early: ${stderr}`);
  return acknowledged;
}

describe("job file journal under SIGKILL", () => {
  it("leaves a file that opens with every row at or past its last acknowledged state", async () => {
    const file = path.join(await dirs.make(), "jobs.json");
    // Rows of ~8 KB, so an append of several spans pages and a kill can land inside it.
    const jobs = Array.from({ length: 8 }, (_, i) =>
      makeJob({ jobId: `j${i}`, requestId: "r", lastError: { code: "x", message: "m".repeat(8_000) } }),
    );
    let batchLines = 0;
    for (const rounds of [5, 23, 41, 67]) {
      const acknowledged = await runAndKill(file, jobs, rounds);
      const text = await readFile(file, "utf8");
      expect(parseJobFile(text)).toBeDefined();
      batchLines += text.split("\n").filter((line) => line.startsWith('{"batch":[')).length;
      const store = await FileJobStore.open(file, { option: "--state" });
      const offsets = store.jobs().map((job) => job.confirmedOffset);
      expect(offsets).toHaveLength(8);
      // The child may have gone on after its last line; it cannot have lost what it saw written.
      for (const offset of offsets) expect(offset).toBeGreaterThanOrEqual(acknowledged);
      await store.close();
    }
    // The rounds' appends were batch lines (a compaction writes a line per row): the kills hit that framing.
    expect(batchLines).toBeGreaterThan(0);
  });
});
