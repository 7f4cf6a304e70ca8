import { describe, expect, it } from "vitest";
import { formatStatus, progressBar } from "../../../src/cli/commands/status.js";

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
        },
      ],
    });
    expect(lines).toContain("  app: big.bin -> drive:x:/ (uploading)");
    expect(lines.some((l) => l.includes(" 50% 5 B / 10 B  last error: throttled: slow down"))).toBe(true);
  });
});
