/** The job table keeps who asked for a cancellation in its own column, and reads it back (src/store/jobRow.ts). */
import { describe, expect, it } from "vitest";
import { newJob } from "../../../src/core/upload/engine.js";
import { fromEntity, toEntity } from "../../../src/store/jobRow.js";

const job = newJob({
  jobId: "req-1-1",
  requestId: "req-1",
  source: { type: "blob", container: "incoming", blob: "a.bin" },
  destination: { type: "drive", driveId: "b!abc", path: "/in/a.bin" },
  conflictBehavior: "replace",
  chunkSize: 10 * 1024 * 1024,
  simpleUploadMax: 4 * 1024 * 1024,
  now: 1_000,
});

describe("cancelledBy in the job row", () => {
  it("round-trips with the cancellation flag", () => {
    const entity = toEntity({ job, wakeSeq: 2, cancelRequested: true, cancelledBy: "oid:abc" });
    expect(entity.cancelledBy).toBe("oid:abc");
    const back = fromEntity({ ...entity, etag: "e1" });
    expect(back).toMatchObject({ cancelRequested: true, cancelledBy: "oid:abc", wakeSeq: 2 });
  });

  it("is absent when nobody was named, and in rows written before the column existed", () => {
    const entity = toEntity({ job, wakeSeq: 0 });
    expect(entity.cancelledBy).toBe("");
    expect(fromEntity({ ...entity, etag: "e1" }).cancelledBy).toBeUndefined();
    const { cancelledBy: _gone, ...older } = entity;
    expect(fromEntity({ ...older, etag: "e1" }).cancelledBy).toBeUndefined();
  });
});
