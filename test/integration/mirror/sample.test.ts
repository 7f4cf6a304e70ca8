import { createHash } from "node:crypto";
import { copyFile, mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSampleMirror } from "../../../src/cli/sampleRun.js";
import {
  DEFAULT_DRIVE_IDS,
  DEFAULT_TOKEN,
  type RunningEmulator,
  startEmulator,
} from "../../../src/emulator/index.js";
import { defaultSampleDir, ensureSampleFiles, LARGE_EXPORT_BYTES } from "../../../src/mirror/sample.js";
import { captureStream } from "../../support/capturedStream.js";

describe("the bundled sample mirror", () => {
  let emu: RunningEmulator;
  let dir: string;
  beforeAll(async () => {
    emu = await startEmulator();
    dir = await mkdtemp(path.join(os.tmpdir(), "gm-sample-"));
    for (const name of ["dashboard-status.json", "carpuncle.log", "mirrors.json", ".gitignore"]) {
      await copyFile(path.join(defaultSampleDir(), name), path.join(dir, name));
    }
  });
  afterAll(async () => {
    await emu?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
    if (dir) await rm(`${dir}-state`, { recursive: true, force: true });
  });

  it("generates the same multi-chunk export every time, and leaves an existing one alone", async () => {
    const file = await ensureSampleFiles(dir);
    const first = createHash("sha256")
      .update(await readFile(file))
      .digest("hex");
    expect((await readFile(file)).length).toBe(LARGE_EXPORT_BYTES);
    await rm(file);
    await ensureSampleFiles(dir);
    expect(
      createHash("sha256")
        .update(await readFile(file))
        .digest("hex"),
    ).toBe(first);
  });

  it("mirrors the sample to the SharePoint library and to a OneDrive, then has nothing to do", async () => {
    const out = captureStream();
    const err = captureStream();
    const options = {
      graphBaseUrl: emu.graphBaseUrl,
      token: DEFAULT_TOKEN,
      stateDir: `${dir}-state`,
      stdout: out.stream,
      stderr: err.stream,
      signal: AbortSignal.timeout(60_000),
      sampleDir: dir,
    };
    const status = await runSampleMirror(options);
    expect(status).toBe(0);
    const large = await readFile(path.join(dir, "exports", "large-export.bin"));
    for (const drive of [DEFAULT_DRIVE_IDS.opsDocuments, DEFAULT_DRIVE_IDS.adeleOneDrive]) {
      expect(
        emu.inspect.readItem(drive, "/graph-mirror-sample/exports/large-export.bin")?.equals(large),
      ).toBe(true);
      expect(emu.inspect.readItem(drive, "/graph-mirror-sample/carpuncle.log")?.toString()).toContain(
        "INC-2041",
      );
      expect(emu.inspect.readItem(drive, "/graph-mirror-sample/mirrors.json")).toBeUndefined();
    }
    // The large file goes in several fragments to each destination: the first at 10 MiB, the rest sized to the
    // link (no CHUNK_SIZE set: docs/upload.md "Chunk size"), so at least two each.
    expect(
      emu.inspect.requestLog().filter((r) => r.route === "uploadFragment").length,
    ).toBeGreaterThanOrEqual(4);
    // Not a terminal: stdout is JSON lines only; the summary for people goes to stderr (issue 15 item 9).
    const lines = out.text().trim().split("\n");
    const events = lines.map((l) => JSON.parse(l) as { event: string });
    expect(events.filter((e) => e.event === "mirror-job-end")).toHaveLength(6);
    // The summary says where each file landed.
    const summary = err.text().split("\n");
    expect(summary.filter((l) => l.includes("uploaded exports/large-export.bin"))).toHaveLength(2);
    expect(err.text()).toContain("/graph-mirror-sample/exports/large-export.bin");
    for (const text of [out.text(), err.text()]) {
      expect(text).not.toContain(DEFAULT_TOKEN);
      expect(text).not.toContain("tempauth");
    }

    emu.inspect.clearLog();
    const again = captureStream();
    expect(await runSampleMirror({ ...options, stdout: again.stream })).toBe(0);
    expect(again.text()).toContain('"unchanged":6');
    expect(emu.inspect.requestLog()).toEqual([]);
  });
});
