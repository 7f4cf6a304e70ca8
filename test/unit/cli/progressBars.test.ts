/**
 * Issue 15 item 2: the terminal progress reporter, driven by scripted job events. A resumed file has a bar
 * from its confirmed offset; the overall bar counts every file's total; rate and ETA never show NaN or
 * cli-progress's placeholders; every finished job gets exactly one ✓ or ✗ line, the last one included.
 */
import { PassThrough } from "node:stream";
import { stripVTControlCharacters } from "node:util";
import { describe, expect, it } from "vitest";
import { BarsReporter } from "../../../src/cli/progress/bars.js";
import { formatEta, formatRate } from "../../../src/cli/progress/rate.js";
import type { FileLabel } from "../../../src/cli/progress/reporter.js";
import type { JobEvent, UploadJob } from "../../../src/core/job/job.js";
import { newJob } from "../../../src/core/job/lifecycle.js";

const MiB = 1024 * 1024;

function terminal(isTTY: boolean): {
  stream: PassThrough & { isTTY: boolean; columns: number };
  text(): string;
} {
  const stream = Object.assign(new PassThrough(), { isTTY, columns: 160 });
  let written = "";
  stream.on("data", (d: Buffer) => {
    written += d.toString();
  });
  return { stream, text: () => stripVTControlCharacters(written) };
}

function job(id: string, init: Partial<UploadJob> = {}): UploadJob {
  return {
    ...newJob({
      jobId: id,
      requestId: "r",
      source: { type: "file", path: `/tmp/${id}` },
      destination: { type: "drive", driveId: "d", path: `/${id}` },
      conflictBehavior: "replace",
      chunkSize: MiB,
      simpleUploadMax: MiB,
      now: 0,
    }),
    ...init,
  } as UploadJob;
}

const label = (name: string): FileLabel => ({ file: name, destination: `/${name}` });
const completed = (size: number): JobEvent => ({
  type: "completed",
  result: { itemId: "i", size, verification: "hash" },
});

/** A clock the test moves: rate and ETA then have known values. */
function clock(): { now: () => number; advance(ms: number): void } {
  let t = 1_000_000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

function lineCount(text: string, pattern: RegExp): number {
  return text.split("\n").filter((l) => pattern.test(l)).length;
}

const GARBAGE = /NaN|Infinity|\bNF|\bLL|undefined|ETA (?:-|NULL)/;

describe("BarsReporter", () => {
  it("gives a resumed file a bar from its confirmed offset and counts its whole size in the overall bar", () => {
    const out = terminal(true);
    const time = clock();
    const reporter = new BarsReporter(out.stream, time.now);
    const resumed = job("big.bin", {
      status: "uploading",
      confirmedOffset: MiB,
      fingerprint: { size: 440 * MiB, version: "1" },
    });
    reporter.resumed(label("big.bin"), resumed);
    reporter.planned(label("big.bin"), 440 * MiB);
    time.advance(2_000);
    reporter.events(label("big.bin"), { ...resumed, confirmedOffset: 3 * MiB }, [
      { type: "chunk-confirmed", confirmedOffset: 3 * MiB, size: 440 * MiB },
      // A line above the bars redraws them now (otherwise the next redraw is on cli-progress's timer).
      { type: "retrying", reason: "throttled", delayMs: 1_000 },
    ]);
    const text = out.text();
    expect(text).toContain("resuming big.bin from 1 MiB");
    expect(text).toMatch(/big\.bin .*\| 1 MiB\/440 MiB/);
    expect(text).toMatch(/all files .*\| 3 MiB\/440 MiB/);
    // 2 MiB sent in this run in 2 s: 1 MiB/s; 437 MiB left.
    expect(text).toMatch(/all files .*1 MiB\/s \| ETA 7m17s/);
    expect(text).not.toMatch(/100% \| 1 MiB\/1 MiB/);
    expect(text).not.toMatch(GARBAGE);
    reporter.events(label("big.bin"), { ...resumed, status: "completed" }, [completed(440 * MiB)]);
    reporter.close();
    expect(lineCount(out.text(), /^✓ big\.bin -> \/big\.bin/)).toBe(1);
  });

  it("writes exactly one line per finished file, for many files, failures and 0-byte files, the last one too", () => {
    const out = terminal(true);
    const time = clock();
    const reporter = new BarsReporter(out.stream, time.now);
    const names = Array.from({ length: 12 }, (_, i) => `file-${i}.bin`);
    for (const name of names) reporter.planned(label(name), name === "file-0.bin" ? 0 : MiB);
    for (const name of names) {
      const size = name === "file-0.bin" ? 0 : MiB;
      reporter.events(label(name), job(name, { status: "uploading" }), [
        { type: "started", size, method: "simple" },
      ]);
    }
    time.advance(1_000);
    names.forEach((name, i) => {
      const size = name === "file-0.bin" ? 0 : MiB;
      if (i === 5) {
        const error = { code: "quota-exceeded", message: "the drive is full" };
        const failed = job(name, { status: "failed", lastError: error });
        reporter.events(label(name), failed, [{ type: "failed", error }]);
        // A later batch about the same finished job adds no second line.
        reporter.events(label(name), failed, []);
      } else {
        const done = job(name, { status: "completed", result: { itemId: "i", size, verification: "hash" } });
        reporter.events(label(name), done, [completed(size)]);
        reporter.events(label(name), done, [completed(size)]);
      }
    });
    reporter.close();
    const text = out.text();
    for (const name of names) {
      const escaped = name.replace(".", "\\.");
      expect(lineCount(text, new RegExp(`^[✓✗] ${escaped}[ :]`)), name).toBe(1);
    }
    expect(text).toContain("✗ file-5.bin: quota-exceeded: the drive is full");
    expect(text).toContain("✓ file-11.bin -> /file-11.bin");
    expect(text).not.toMatch(GARBAGE);
  });

  it("gives a job that ends without a completed event its one line (found finished on resume)", () => {
    const out = terminal(true);
    const reporter = new BarsReporter(out.stream, clock().now);
    const done = job("a.txt", {
      status: "completed",
      confirmedOffset: 10,
      result: { itemId: "i", size: 10, verification: "size-only" },
    });
    reporter.events(label("a.txt"), done, []);
    reporter.close();
    expect(lineCount(out.text(), /^✓ a\.txt -> \/a\.txt \(verified by size only\)/)).toBe(1);
  });

  it("writes its lines plainly to a non-TTY stream, once each, without bars or garbage", () => {
    const out = terminal(false);
    const reporter = new BarsReporter(out.stream, clock().now);
    reporter.planned(label("x.bin"), 5);
    reporter.events(label("x.bin"), job("x.bin"), [{ type: "started", size: 5, method: "simple" }]);
    reporter.events(label("x.bin"), job("x.bin", { status: "completed" }), [completed(5)]);
    reporter.close();
    expect(out.text().trim()).toBe("✓ x.bin -> /x.bin (verified by QuickXorHash)");
  });
});

describe("rate and ETA text", () => {
  it("is a dash until it means something, never NaN or Infinity", () => {
    expect(formatRate(undefined)).toBe("—");
    expect(formatRate(Number.NaN)).toBe("—");
    expect(formatRate(0)).toBe("—");
    expect(formatEta(100, undefined)).toBe("—");
    expect(formatEta(100, Number.POSITIVE_INFINITY)).toBe("—");
    expect(formatEta(0, undefined)).toBe("0s");
    expect(formatEta(3_600 * 1024, 1024)).toBe("1h00m");
  });
});
