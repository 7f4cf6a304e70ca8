/**
 * The one log shape and its one JSON-lines writer (src/core/shared/log.ts, src/app/jsonLog.ts): every area's
 * events (pipeline, auth, mirror, CLI progress) are `{ event, ...fields }`, written one object per line with
 * `time` first.
 */
import { describe, expect, it } from "vitest";
import { jsonLines } from "../../../src/app/jsonLog.js";
import type { AuthLogEvent } from "../../../src/auth/log.js";
import type { PipelineEvent } from "../../../src/core/pipeline/pipelineLog.js";
import type { LogEvent } from "../../../src/core/shared/log.js";
import type { MirrorLogEvent } from "../../../src/mirror/mirrorLog.js";

describe("jsonLines", () => {
  it("writes one JSON object per event, time first, fields as given", () => {
    const lines: string[] = [];
    const log = jsonLines(
      (line) => lines.push(line),
      () => Date.UTC(2025, 0, 2, 3, 4, 5),
    );
    log({ event: "job-stepped", jobId: "j1", wakeSeq: 2 });
    expect(lines).toEqual([
      '{"time":"2025-01-02T03:04:05.000Z","event":"job-stepped","jobId":"j1","wakeSeq":2}',
    ]);
    expect(Object.keys(JSON.parse(lines[0] ?? "{}"))[0]).toBe("time");
  });

  it("takes every area's events, which are all LogEvents", () => {
    const seen: LogEvent[] = [];
    const log = jsonLines((line) => seen.push(JSON.parse(line) as LogEvent));
    const pipeline: PipelineEvent = { event: "wake-rejected", jobId: "j" };
    const auth: AuthLogEvent = { event: "auth.refresh", source: "token.json" };
    const mirror: MirrorLogEvent = { event: "mirror-invalid", mirror: "m", problems: ["x"] };
    for (const e of [pipeline, auth, mirror]) log(e);
    expect(seen.map((e) => e.event)).toEqual(["wake-rejected", "auth.refresh", "mirror-invalid"]);
  });
});
