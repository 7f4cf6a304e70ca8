/**
 * `graph-mirror mirror --once` over a file someone else edited at the destination: exit code 3 ("completed with
 * conflicts"), a closing summary line, and a run whose status and count `graph-mirror status` shows.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
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
import { FileMirrorState } from "../../../src/store/manifestFile.js";
import { captureStream } from "../../support/capturedStream.js";

const drive = DEFAULT_DRIVE_IDS.opsReports;

describe("graph-mirror mirror --once with conflicts", () => {
  let emu: RunningEmulator;
  let root: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    emu = await startEmulator();
    root = await mkdtemp(path.join(os.tmpdir(), "gm-cli-conflict-"));
    await mkdir(path.join(root, "src"));
    env = {
      GRAPH_BASE_URL: emu.graphBaseUrl,
      GRAPH_ACCESS_TOKEN: DEFAULT_TOKEN,
      ALLOWED_FILE_ROOTS: root,
      MIRRORS: JSON.stringify([
        {
          name: "cli",
          source: { type: "file", path: path.join(root, "src") },
          destinations: [{ type: "drive", driveId: drive, path: "/conflicts" }],
          onDestinationChanged: "skip-and-report",
        },
      ]),
    };
  });
  afterAll(async () => {
    await emu?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  const stateDir = () => path.join(root, "state");
  const once = async () => {
    const out = captureStream();
    const err = captureStream();
    const status = await mirrorCommand(
      { once: true, parallel: "2", stateDir: stateDir() },
      { env, stdout: out.stream, stderr: err.stream, signal: AbortSignal.timeout(30_000) },
    );
    // Not a terminal: stdout holds only JSON lines, the summary for people is on stderr (issue 15 item 9).
    for (const line of out.text().split("\n").filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow();
    return { status, text: err.text() };
  };

  it("exits 0 after a service-only change, then 3 once someone else really edited the file", async () => {
    const file = path.join(root, "src", "report.csv");
    await writeFile(file, "ours v1");
    expect((await once()).status).toBe(0);

    // The service's own change (new eTag, same content) and a change of ours: uploaded, exit 0.
    emu.inspect.touchMetadata(drive, "/conflicts/report.csv");
    await writeFile(file, "ours v2");
    const second = await once();
    expect(second.status).toBe(0);
    expect(second.text).not.toContain("CONFLICTS");
    expect(emu.inspect.readItem(drive, "/conflicts/report.csv")?.toString()).toBe("ours v2");

    // Someone else's edit, then another change of ours: left alone, reported, exit 3.
    emu.inspect.putItem(drive, "/conflicts/report.csv", Buffer.from("theirs"));
    await writeFile(file, "ours v3, longer");
    const third = await once();
    expect(third.status).toBe(3);
    expect(third.text).toContain(
      "conflict report.csv: changed (size 7 -> 15 bytes), but the destination copy",
    );
    expect(third.text).toContain("COMPLETED WITH CONFLICTS: 1 file(s)");
    expect(emu.inspect.readItem(drive, "/conflicts/report.csv")?.toString()).toBe("theirs");

    const state = await FileMirrorState.open(path.join(stateDir(), "mirror-state.json"));
    const runs = [...state.history.snapshot().runs].sort((a, b) => b.startedAt - a.startedAt);
    expect(runs[0]).toMatchObject({ result: "conflicts", conflicts: 1, jobsCreated: 0 });
    expect(state.history.snapshot().records.filter((r) => r.outcome === "conflict-skipped")).toHaveLength(1);

    const status = captureStream();
    await statusCommand({ stateDir: stateDir(), limit: "1" }, { env, stdout: status.stream });
    expect(status.text()).toMatch(/cli\s+conflicts\s+1 listed, 0 unchanged, 0 job\(s\), 1 conflict\(s\)/);
  });
});
