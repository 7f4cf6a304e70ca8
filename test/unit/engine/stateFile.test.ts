import { mkdtemp, readdir, readFile, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { StateFile } from "../../../src/cli/stateFile.js";
import { ConfigError } from "../../../src/core/shared/validationError.js";
import { newJob } from "../../../src/core/upload/engine.js";

const job = newJob({
  jobId: "j1",
  requestId: "r1",
  source: { type: "file", path: "/tmp/a" },
  destination: { type: "drive", driveId: "d", path: "/a" },
  conflictBehavior: "replace",
  chunkSize: 327_680,
  simpleUploadMax: 0,
  now: 1,
});

describe("state file", () => {
  it("writes atomically with mode 0600 and reads back", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "gm-state-"));
    const file = path.join(dir, "nested", "state.json");
    const state = await StateFile.open(file);
    const withUrl = { ...job, session: { uploadUrl: "https://u/x?tempauth=s", createdAt: 1, expiresAt: 2 } };
    await Promise.all([
      state.save("a", withUrl),
      state.save("b", job),
      state.save("a", { ...withUrl, confirmedOffset: 5 }),
    ]);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(path.dirname(file))).toEqual(["state.json"]);
    const again = await StateFile.open(file);
    expect(again.get("a")?.confirmedOffset).toBe(5);
    expect(again.get("b")?.jobId).toBe("j1");
    await again.remove();
    expect(await readdir(path.dirname(file))).toEqual([]);
  });

  it("refuses a file that is not ours", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "gm-state-"));
    const file = path.join(dir, "notes.txt");
    await writeFile(file, "my notes");
    await expect(StateFile.open(file)).rejects.toThrow(ConfigError);
    expect(await readFile(file, "utf8")).toBe("my notes");
    await expect(StateFile.open(file, "--state-dir")).rejects.toThrow(/^invalid option: --state-dir: /);
  });

  it("names the option when the path cannot be read as a file", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "gm-state-"));
    await expect(StateFile.open(dir)).rejects.toThrow(
      `invalid option: --state: ${dir} cannot be read (EISDIR)`,
    );
    expect(await readdir(dir)).toEqual([]);
  });
});
