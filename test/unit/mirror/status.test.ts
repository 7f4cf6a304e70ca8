import { describe, expect, it } from "vitest";
import { formatStatus } from "../../../src/cli/commands/status.js";
import { figuresOf } from "../../../src/cli/commands/statusFigures.js";
import type { HistoryRecord } from "../../../src/core/ports/mirror.js";
import { progressBar } from "../../../src/core/shared/progressBar.js";

const SINCE = Date.UTC(2026, 0, 1);

function record(outcome: HistoryRecord["outcome"], bytes: number, errorCode?: string): HistoryRecord {
  return {
    mirror: "app",
    runId: "run-1",
    key: `${outcome}-${bytes}-${errorCode ?? ""}`,
    path: "f.bin",
    destination: "drive:x:/",
    bytes,
    durationMs: 10,
    outcome,
    ...(errorCode ? { errorCode } : {}),
    finishedAt: SINCE + 1,
  };
}

describe("graph-mirror status formatting", () => {
  it("draws a progress bar for an active upload", () => {
    expect(progressBar(3 * 1024 * 1024, 10 * 1024 * 1024, 10)).toBe("[███░░░░░░░]  30% 3 MiB / 10 MiB");
    expect(progressBar(0, undefined, 4)).toBe("[░░░░]   ? 0 B sent");
    const lines = formatStatus({
      runs: [],
      active: [
        {
          mirror: "app",
          path: "big.bin",
          destination: "drive:x:/",
          status: "uploading",
          bytesConfirmed: 5,
          size: 10,
          lastError: "throttled: slow down",
          lastErrorCode: "throttled",
        },
      ],
      figures: figuresOf([], ["throttled"], SINCE),
    });
    expect(lines).toContain("  app: big.bin -> drive:x:/ (uploading)");
    expect(lines.some((l) => l.includes(" 50% 5 B / 10 B  last error: throttled: slow down"))).toBe(true);
    expect(lines).toContain("  throttled now: 1 unfinished job(s) waiting on Microsoft Graph throttling");
  });

  it("shows the figures the app sends as metrics: bytes, completed, failed by reason, success rate", () => {
    const figures = figuresOf(
      [
        record("completed", 2048),
        record("completed", 1024),
        record("failed", 0, "request-budget"),
        record("failed", 0, "access-denied"),
        record("failed", 0, "access-denied"),
        record("conflict-skipped", 0),
      ],
      [undefined, "session-expired"],
      SINCE,
    );
    expect(figures).toMatchObject({
      bytesUploaded: 3072,
      completed: 2,
      failed: 3,
      failedByReason: { "access-denied": 2, "request-budget": 1 },
      successRate: 0.4,
      throttledNow: 0,
    });
    const lines = formatStatus({ runs: [], active: [], figures });
    expect(lines[1]).toBe(
      "  3 KiB uploaded, 2 completed, 3 failed (access-denied 2, request-budget 1), success rate 40.0%",
    );
  });
});
