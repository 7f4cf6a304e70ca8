/**
 * What `graph-mirror start` shows of its first mirror pass (src/localhost/firstPass.ts), over the in-memory
 * stores: it waits for this start's run record, follows the run's jobs until all ended, and the summary names
 * each file, its destination, link and verification; a pass without jobs says there was nothing to upload.
 */
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import type { RunRecord } from "../../../src/core/ports/mirror.js";
import { followFirstPass, formatFirstPass, shortDestination } from "../../../src/localhost/firstPass.js";
import { MemoryHistoryStore } from "../../../src/store/historyMemory.js";
import { MemoryManifestStore } from "../../../src/store/manifestMemory.js";
import { MemoryJobStore } from "../../../src/store/memoryJobStore.js";
import { makeJob } from "../../support/pipeline/jobs.js";

const SITE = "sharepoint:https://contoso.sharepoint.com/sites/Ops:Documents:/sample/";

function run(overrides: Partial<RunRecord>): RunRecord {
  return {
    mirror: "sample",
    runId: "mirror-run-1",
    startedAt: 2_000,
    finishedAt: 2_100,
    result: "ok",
    listed: 2,
    unchanged: 0,
    jobsCreated: 1,
    inProgress: 0,
    conflicts: 0,
    deletions: 0,
    errors: [],
    ...overrides,
  };
}

describe("the first mirror pass of graph-mirror start", () => {
  it("follows this start's run until its jobs ended and reports where each file landed", async () => {
    const history = new MemoryHistoryStore();
    const manifest = new MemoryManifestStore();
    const jobs = new MemoryJobStore();
    await history.recordRun(run({ runId: "mirror-old", startedAt: 500 })); // an earlier start's run
    await history.recordRun(run({ unchanged: 1 }));
    const job = makeJob({ requestId: "mirror-run-1" });
    await jobs.createJobs([job]);
    await manifest.trackJob({
      jobId: job.jobId,
      runId: "mirror-run-1",
      mirror: "sample",
      destination: "d",
      destinationLabel: SITE,
      path: "report.csv",
      source: { size: 5, version: "1" },
      createdAt: 2_000,
    });
    const out = new PassThrough();
    let printed = "";
    out.on("data", (d: Buffer) => {
      printed += d.toString();
    });
    const following = followFirstPass({
      history,
      manifest,
      jobs,
      mirrors: ["sample"],
      since: 1_000,
      out,
      signal: AbortSignal.timeout(5_000),
      pollMs: 5,
    });
    // The job completes while the pass is being followed.
    const row = await jobs.get(job.jobId, "mirror-run-1");
    if (!row) throw new Error("row missing");
    await jobs.replace(
      {
        ...row,
        job: {
          ...row.job,
          status: "completed",
          confirmedOffset: 5,
          result: {
            itemId: "item-1",
            webUrl: "https://contoso.sharepoint.com/sites/Ops/Shared%20Documents/sample/report.csv",
            size: 5,
            quickXorHash: "AAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            verification: "hash",
          },
        },
      },
      row.etag,
    );
    const pass = await following;
    expect(pass.runs.map((r) => r.runId)).toEqual(["mirror-run-1"]);
    expect(pass.files.map((f) => [f.path, f.job.status])).toEqual([["report.csv", "completed"]]);
    expect(printed).toContain("✓ report.csv (5 B) -> SharePoint /sites/Ops library Documents, /sample/");

    const summary = formatFirstPass(pass, ["curl -s http://127.0.0.1:10010/_emulator/items"]).join("\n");
    expect(summary).toContain("Mirror pass at start: 1 of 1 upload(s) completed.");
    expect(summary).toContain(
      "https://contoso.sharepoint.com/sites/Ops/Shared%20Documents/sample/report.csv",
    );
    expect(summary).toContain("QuickXorHash verified (AAAAAAAAAAAAAAAAAAAAAAAAAAA=)");
    expect(summary).toContain("curl -s http://127.0.0.1:10010/_emulator/items");
  });

  it("says there was nothing to upload when the pass created no jobs", async () => {
    const history = new MemoryHistoryStore();
    await history.recordRun(run({ jobsCreated: 0, unchanged: 3 }));
    const pass = await followFirstPass({
      history,
      manifest: new MemoryManifestStore(),
      jobs: new MemoryJobStore(),
      mirrors: ["sample"],
      since: 1_000,
      out: new PassThrough(),
      signal: AbortSignal.timeout(5_000),
      pollMs: 5,
    });
    expect(formatFirstPass(pass, [])[0]).toBe(
      "Mirror pass at start: nothing to upload (0 jobs; 3 file(s) unchanged since they were mirrored).",
    );
  });

  it("shortens destination labels for people", () => {
    expect(shortDestination(SITE)).toBe("SharePoint /sites/Ops library Documents, /sample/");
    expect(shortDestination("onedrive:adele@contoso.com:/x/")).toBe("OneDrive of adele@contoso.com, /x/");
    expect(shortDestination("drive:b!abc:/x/")).toBe("drive:b!abc:/x/");
  });
});
