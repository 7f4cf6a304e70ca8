import { mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mirrorCommand } from "../../../src/cli/commands/mirror.js";
import { statusCommand } from "../../../src/cli/commands/status.js";
import {
  DEFAULT_DRIVE_IDS,
  DEFAULT_TOKEN,
  type RunningEmulator,
  startEmulator,
} from "../../../src/emulator/index.js";
import { captureStream } from "../../support/capturedStream.js";

describe("graph-mirror mirror and status", () => {
  let emu: RunningEmulator;
  let root: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    emu = await startEmulator();
    root = await mkdtemp(path.join(os.tmpdir(), "gm-cli-"));
    await mkdir(path.join(root, "src"));
    await writeFile(path.join(root, "src", "a.json"), "{}");
    await writeFile(path.join(root, "src", "skip.tmp"), "x");
    env = {
      GRAPH_BASE_URL: emu.graphBaseUrl,
      GRAPH_ACCESS_TOKEN: DEFAULT_TOKEN,
      ALLOWED_FILE_ROOTS: root,
      MIRRORS: JSON.stringify([
        {
          name: "cli",
          source: { type: "file", path: path.join(root, "src") },
          exclude: ["*.tmp"],
          destinations: [{ type: "drive", driveId: DEFAULT_DRIVE_IDS.opsReports, path: "/cli" }],
        },
        { name: "bad", source: { type: "blob" }, destinations: [] },
      ]),
    };
  });
  afterAll(async () => {
    await emu?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  const run = async (options: { dryRun?: boolean; json?: boolean }) => {
    const out = captureStream();
    const err = captureStream();
    const status = await mirrorCommand(
      { once: true, parallel: "2", stateDir: path.join(root, "state"), ...options },
      { env, stdout: out.stream, stderr: err.stream, signal: AbortSignal.timeout(30_000) },
    );
    // Not a terminal: stdout holds only JSON lines, the summary for people is on stderr (issue 15 item 9).
    for (const line of out.text().split("\n").filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow();
    return { status, text: err.text() };
  };

  it("--dry-run prints what would be uploaded and why, names invalid mirrors, and changes nothing", async () => {
    const { status, text } = await run({ dryRun: true });
    expect(text).toContain("would upload a.json: new file (not uploaded before)");
    expect(text).not.toContain("skip.tmp");
    expect(text).toContain("mirror bad: INVALID, skipped");
    expect(text).toContain("source.container: is required");
    expect(status).toBe(1); // an invalid definition is a failure to report, even though the valid one ran
    expect(emu.inspect.requestLog().filter((r) => r.method !== "GET")).toEqual([]);
  });

  it("--mirror naming no defined mirror is refused and creates no state", async () => {
    const stateDir = path.join(root, "state-typo");
    await expect(
      mirrorCommand(
        { once: true, parallel: "2", stateDir, mirror: ["cli", "typo"] },
        {
          env,
          stdout: captureStream().stream,
          stderr: captureStream().stream,
          signal: AbortSignal.timeout(30_000),
        },
      ),
    ).rejects.toThrow('--mirror: no mirror named "typo" is defined');
    await expect(stat(stateDir)).rejects.toThrow(/ENOENT/);
    expect(emu.inspect.requestLog().filter((r) => r.method !== "GET")).toEqual([]);
  });

  it("--once uploads, and status shows the run", async () => {
    const { text } = await run({});
    expect(text).toMatch(/uploaded a\.json: new file \(not uploaded before\) at https:\/\/\S+\/cli\/a\.json/);
    expect(emu.inspect.readItem(DEFAULT_DRIVE_IDS.opsReports, "/cli/a.json")?.toString()).toBe("{}");
    const out = captureStream();
    await statusCommand({ stateDir: path.join(root, "state"), limit: "5" }, { env, stdout: out.stream });
    expect(out.text()).toMatch(/cli\s+ok\s+1 listed, 0 unchanged, 1 job\(s\)/);
    expect(out.text()).toContain("Active jobs:\n  (none)");
    const json = captureStream();
    await statusCommand(
      { stateDir: path.join(root, "state"), limit: "5", json: true },
      { env, stdout: json.stream },
    );
    expect((JSON.parse(json.text()) as { runs: unknown[] }).runs.length).toBeGreaterThanOrEqual(1);
  });
});
