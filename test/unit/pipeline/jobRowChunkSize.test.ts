import { describe, expect, it } from "vitest";
import { newJob } from "../../../src/core/upload/engine.js";
import { fromEntity, toEntity } from "../../../src/store/jobRow.js";

const KIB320 = 327_680;

function fresh(chunkSize: number) {
  return newJob({
    jobId: "job-1",
    requestId: "req-1",
    source: { type: "file", path: "/tmp/x" },
    destination: { type: "drive", driveId: "drive-1", path: "/a.bin" },
    conflictBehavior: "replace",
    chunkSize,
    simpleUploadMax: 4 * 1024 * 1024,
    now: 1,
  });
}

function roundTrip(job: ReturnType<typeof fresh>) {
  return fromEntity({ ...toEntity({ job, wakeSeq: 0 }), etag: "W/1" }).job;
}

describe('the job row records the chunk size in use (docs/upload.md "Chunk size")', () => {
  it("keeps a size sized to the link, and its measured throughput, across a write and a read", () => {
    const job = { ...fresh(0), chunkSize: 48 * KIB320, autoChunk: { bytesPerSecond: 52_000_000 } };
    const read = roundTrip(job);
    expect(read.chunkSize).toBe(48 * KIB320);
    expect(read.autoChunk).toEqual({ bytesPerSecond: 52_000_000 });
  });

  it("reads a row written before sizing existed as a fixed size", () => {
    const { autoChunk: _none, ...old } = { ...fresh(0), chunkSize: 10 * 1024 * 1024 };
    const entity = { ...toEntity({ job: old, wakeSeq: 0 }), etag: "W/1" };
    const read = fromEntity(entity).job;
    expect(read.chunkSize).toBe(10 * 1024 * 1024);
    expect(read.autoChunk).toBeUndefined();
  });

  it("a set size is stored as set, with no sizing state", () => {
    const read = roundTrip(fresh(2 * KIB320));
    expect(read.chunkSize).toBe(2 * KIB320);
    expect(read.autoChunk).toBeUndefined();
  });
});
