/**
 * The CLI's job file (src/store/fileJobStore.ts; moved from the old state file's tests, whose assertions it
 * keeps): atomic 0600 writes, foreign files refused naming the option, one process per file, a version-1 state
 * file still resumed, and a dead process's leases released on open.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../src/core/shared/validationError.js";
import { newJob, resumeJob } from "../../../src/core/upload/engine.js";
import { FileJobStore } from "../../../src/store/fileJobStore.js";

const job = newJob({
  jobId: "j1",
  requestId: "r1",
  source: { type: "file", path: "/tmp/a" },
  destination: { type: "drive", driveId: "d", path: "/a" },
  conflictBehavior: "replace",
  chunkSize: 327_680,
  simpleUploadMax: 0,
  now: 1,
});
const withUrl = { ...job, session: { uploadUrl: "https://u/x?tempauth=s", createdAt: 1, expiresAt: 2 } };

async function tempFile(name: string): Promise<string> {
  return path.join(await mkdtemp(path.join(os.tmpdir(), "gm-state-")), name);
}

const open = (file: string, option = "--state") => FileJobStore.open(file, { option, resume: resumeJob });

describe("job file", () => {
  it("writes atomically with mode 0600 and reads back", async () => {
    const file = await tempFile(path.join("nested", "state.json"));
    const store = await open(file);
    await store.createJobs([withUrl, { ...job, jobId: "j2" }]);
    const row = await store.get("j1");
    if (!row) throw new Error("row missing");
    const { etag, ...rest } = row;
    await Promise.all([
      store.replace({ ...rest, job: { ...withUrl, confirmedOffset: 5 }, wakeSeq: 1 }, etag),
      store.listByRequest("r1"),
    ]);
    await store.close();
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(path.dirname(file))).toEqual(["state.json"]);
    const again = await open(file);
    expect(again.peek("j1")?.confirmedOffset).toBe(5);
    expect(again.peek("j2")?.jobId).toBe("j2");
    await again.close({ deleteFile: true });
    expect(await readdir(path.dirname(file))).toEqual([]);
  });

  it("refuses a file that is not ours", async () => {
    const file = await tempFile("notes.txt");
    await writeFile(file, "my notes");
    await expect(open(file)).rejects.toThrow(ConfigError);
    expect(await readFile(file, "utf8")).toBe("my notes");
    await expect(open(file, "--state-dir")).rejects.toThrow(/^invalid option: --state-dir: /);
    await expect(FileJobStore.read(file, "--state-dir")).rejects.toThrow(
      /is not a graph-mirror upload state/,
    );
    // Refused files leave no lock behind.
    expect(await readdir(path.dirname(file))).toEqual(["notes.txt"]);
  });

  it("names the option when the path cannot be read as a file", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "gm-state-"));
    await expect(open(dir)).rejects.toThrow(`invalid option: --state: ${dir} cannot be read (EISDIR)`);
    expect(await readdir(dir)).toEqual([]);
  });

  it("resumes a state file written by the previous version (jobs by key)", async () => {
    const file = await tempFile("old.json");
    const key = `/tmp/a\n${JSON.stringify(job.destination)}`;
    await writeFile(file, JSON.stringify({ version: 1, jobs: { [key]: withUrl } }));
    const store = await open(file);
    const row = await store.get("j1", "r1");
    expect(row?.job).toEqual(withUrl);
    expect(row?.wakeSeq).toBe(0);
    expect(row?.leaseOwner).toBeUndefined();
    await store.close();
    expect((await FileJobStore.read(file, "--state")).get("j1")?.session?.uploadUrl).toBe(
      withUrl.session.uploadUrl,
    );
  });

  it("lets one process hold a file at a time, and takes over the lock of a dead one at once", async () => {
    const file = await tempFile("locked.json");
    const first = await open(file);
    await expect(open(file)).rejects.toThrow(/--state: .* is in use by another graph-mirror process/);
    await first.close();
    // A process that died holding the lock (SIGKILL) leaves its lock file; its pid is gone.
    const dead = await deadPid();
    await writeFile(`${file}.lock`, JSON.stringify({ pid: dead, host: os.hostname() }));
    const next = await open(file);
    await next.close();
    expect(await readdir(path.dirname(file))).toEqual([]);
  });

  it("releases a dead process's lease on open and marks its job for resume, without waiting the lease out", async () => {
    const file = await tempFile("leased.json");
    const store = await open(file);
    await store.createJobs([{ ...withUrl, status: "uploading" }]);
    const row = await store.get("j1");
    if (!row) throw new Error("row missing");
    const { etag, ...rest } = row;
    // A lease write alone is not waited for; the step's own write (here: a new offset) carries it to disk.
    const leased = await store.replace(
      { ...rest, leaseOwner: "dead", leaseUntil: Date.now() + 3_600_000 },
      etag,
    );
    const { etag: leasedTag, ...leasedRow } = leased;
    await store.replace({ ...leasedRow, job: { ...leasedRow.job, confirmedOffset: 327_680 } }, leasedTag);
    expect(await readFile(file, "utf8")).toContain('"leaseOwner":"dead"');
    await store.close();
    const again = await open(file);
    const free = await again.get("j1");
    expect(free?.leaseOwner).toBeUndefined();
    expect(free?.leaseUntil).toBeUndefined();
    expect(free?.job.resyncPending).toBe(true);
    expect(free?.job.confirmedOffset).toBe(327_680);
    await again.close();
  });
});

/** The pid of a child process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((resolve) => child.once("exit", resolve));
  if (child.pid === undefined) throw new Error("no pid");
  return child.pid;
}
