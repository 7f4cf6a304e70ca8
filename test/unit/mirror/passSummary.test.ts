import { InvocationContext, type LogLevel } from "@azure/functions";
import { describe, expect, it } from "vitest";
import type { UploadJob } from "../../../src/core/job/job.js";
import type { RunRecord } from "../../../src/core/ports/mirror.js";
import { warnAboutConflicts } from "../../../src/functions/mirrorTimer.js";
import { formatPass, PASS_EXIT, passExitCode } from "../../../src/mirror/passSummary.js";
import type { MirrorRunReport, PassReport } from "../../../src/mirror/runner.js";

const run = (overrides: Partial<RunRecord>, conflictPaths: string[] = []): MirrorRunReport => ({
  mirror: "app",
  runId: "mirror-app-1",
  source: "/data",
  jobs: [],
  destinations: [
    {
      destination: "drive:x:/",
      uploads: [],
      deletions: [],
      conflicts: conflictPaths.map((path) => ({ path, detail: "changed by someone else" })),
      unchanged: 0,
      inProgress: 0,
      errors: [],
    },
  ],
  run: {
    mirror: "app",
    runId: "mirror-app-1",
    startedAt: 1,
    finishedAt: 2,
    result: "ok",
    listed: 1,
    unchanged: 0,
    jobsCreated: 0,
    inProgress: 0,
    conflicts: conflictPaths.length,
    deletions: 0,
    errors: [],
    ...overrides,
  },
});
const pass = (...runs: MirrorRunReport[]): PassReport => ({ runs, invalid: [] });
const failedJob = { status: "failed" } as Pick<UploadJob, "status"> as UploadJob;

describe("pass exit codes", () => {
  it("0 when all went well, 3 when files were left alone for someone else's change, 1 on any failure", () => {
    expect(passExitCode(pass(run({})), [])).toBe(PASS_EXIT.ok);
    const conflicted = run({ result: "conflicts" }, ["report.csv"]);
    expect(passExitCode(pass(conflicted), [])).toBe(3);
    // A failure outranks conflicts.
    expect(passExitCode(pass(conflicted, run({ result: "partial" })), [])).toBe(1);
    expect(passExitCode(pass(conflicted), [failedJob])).toBe(1);
  });

  it("the printed summary ends with a line saying the pass completed with conflicts", () => {
    const lines = formatPass(pass(run({ result: "conflicts" }, ["report.csv"])), [], false);
    expect(lines).toContain("     conflict report.csv: changed by someone else");
    expect(lines.at(-1)).toMatch(/^COMPLETED WITH CONFLICTS: 1 file\(s\) changed by someone else/);
    expect(formatPass(pass(run({})), [], false).join("\n")).not.toContain("CONFLICTS");
  });
});

describe("the Functions timer", () => {
  it("logs a pass with conflicts at warning level, naming the files", () => {
    const logged: [LogLevel, unknown[]][] = [];
    const context = new InvocationContext({
      functionName: "mirrorTimer",
      invocationId: "t",
      logHandler: (level, ...args) => logged.push([level, args]),
    });
    warnAboutConflicts(pass(run({}), run({ result: "conflicts" }, ["report.csv"])), context);
    expect(logged).toHaveLength(1);
    const [level, args] = logged[0] ?? ["none", []];
    expect(level).toBe("warning");
    expect(JSON.parse(String(args[0]))).toMatchObject({
      event: "mirror-conflicts",
      mirror: "app",
      conflicts: 1,
      paths: ["drive:x:/: report.csv"],
    });
  });
});
