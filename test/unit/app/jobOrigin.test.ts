/**
 * The typed job origin (src/core/job/origin.ts): new jobs carry it; rows stored before it existed are read by
 * their request id, exactly as the old `mirror-` prefix test did, in that one place.
 */
import { describe, expect, it } from "vitest";
import type { UploadJob } from "../../../src/core/job/job.js";
import { newJob } from "../../../src/core/job/lifecycle.js";
import { jobOrigin } from "../../../src/core/job/origin.js";
import { newRunId } from "../../../src/mirror/runner.js";

function job(requestId: string, extra: Partial<UploadJob> = {}): UploadJob {
  return {
    ...newJob({
      jobId: "j1",
      requestId,
      source: { type: "file", path: "/data/a.txt" },
      destination: { type: "drive", driveId: "b!drive", path: "/a.txt" },
      conflictBehavior: "replace",
      chunkSize: 327_680,
      simpleUploadMax: 327_680,
      now: 0,
    }),
    ...extra,
  };
}

describe("jobOrigin", () => {
  it("is what the job carries, whatever its request id says", () => {
    const api = job("mirror-looks-like-one", { origin: { kind: "api", caller: "oid:x" } });
    expect(jobOrigin(api)).toEqual({ kind: "api", caller: "oid:x" });
    const mirror = job("any-id", { origin: { kind: "mirror", mirror: "ops", runId: "any-id" } });
    expect(jobOrigin(mirror)).toEqual({ kind: "mirror", mirror: "ops", runId: "any-id" });
  });

  it("reads a legacy mirror row from its run id, the mirror's name included (names may hold '-')", () => {
    const runId = newRunId("ops-daily", Date.UTC(2025, 0, 2, 3, 4, 5, 6));
    expect(jobOrigin(job(runId))).toEqual({ kind: "mirror", mirror: "ops-daily", runId });
  });

  it("routes any legacy `mirror-` request id to the mirror, as before", () => {
    expect(jobOrigin(job("mirror-odd")).kind).toBe("mirror");
  });

  it("reads a legacy API row as the HTTP API's, with who asked", () => {
    expect(jobOrigin(job("5f0c6c1e-0000-4000-8000-000000000000"))).toEqual({ kind: "api" });
    expect(jobOrigin(job("req-1", { requestedBy: "appid:y" }))).toEqual({ kind: "api", caller: "appid:y" });
  });

  it("is kept by newJob and survives the row's JSON", () => {
    const origin = { kind: "mirror", mirror: "ops", runId: "r" } as const;
    const created = newJob({ ...job("r"), origin, now: 1 });
    expect(JSON.parse(JSON.stringify(created)).origin).toEqual(origin);
  });
});
