/**
 * Issue 15 item 8: `graph-mirror mirror` and plain `graph-mirror status` keep and read the state of the
 * definitions they are given, not one folder shared by every definitions set on the machine.
 */
import { access, mkdir, mkdtemp, readdir, rename, rm, writeFile } from "node:fs/promises";
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

describe("the state folder follows the mirror definitions", () => {
  let emu: RunningEmulator;
  let root: string;
  const stateHome = () => path.join(root, "xdg-state");
  beforeAll(async () => {
    emu = await startEmulator();
    root = await mkdtemp(path.join(os.tmpdir(), "gm-statedir-"));
    await mkdir(path.join(root, "src"));
    await writeFile(path.join(root, "src", "a.json"), "{}");
    for (const name of ["alpha", "beta", "gamma"]) {
      await mkdir(path.join(root, name));
      const definitions = [
        {
          name,
          source: { type: "file", path: path.join(root, "src") },
          destinations: [{ type: "drive", driveId: DEFAULT_DRIVE_IDS.opsReports, path: `/${name}` }],
        },
      ];
      // The same file name in different folders: two definitions sets, not one.
      await writeFile(path.join(root, name, "mirrors.json"), JSON.stringify(definitions));
    }
  });
  afterAll(async () => {
    await emu?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  const envFor = (name: string, extra: Record<string, string> = {}) => ({
    GRAPH_BASE_URL: emu.graphBaseUrl,
    GRAPH_ACCESS_TOKEN: DEFAULT_TOKEN,
    ALLOWED_FILE_ROOTS: root,
    XDG_STATE_HOME: stateHome(),
    MIRRORS_FILE: path.join(root, name, "mirrors.json"),
    ...extra,
  });
  const mirror = async (env: Record<string, string>) => {
    const err = captureStream();
    const status = await mirrorCommand(
      { once: true, parallel: "2" },
      { env, stdout: captureStream().stream, stderr: err.stream, signal: AbortSignal.timeout(30_000) },
    );
    return { status, stderr: err.text() };
  };
  const status = async (env: Record<string, string>) => {
    const out = captureStream();
    const err = captureStream();
    await statusCommand({ limit: "10" }, { env, stdout: out.stream, stderr: err.stream });
    return { stdout: out.text(), stderr: err.text() };
  };

  it("status shows the runs of its own definitions only", async () => {
    expect((await mirror(envFor("alpha"))).status).toBe(0);
    expect((await status(envFor("alpha"))).stdout).toMatch(/alpha\s+ok\s+1 listed/);
    const other = await status(envFor("beta"));
    expect(other.stdout).not.toContain("alpha");
    expect(other.stdout).toContain("(none yet");
    const folders = await readdir(path.join(stateHome(), "graph-mirror", "mirrors"));
    expect(folders).toEqual([expect.stringMatching(/^mirrors-[0-9a-f]{12}$/)]);
  });

  it("inline MIRRORS get a folder of their own too", async () => {
    const inline = envFor("alpha");
    const { MIRRORS_FILE: _file, ...rest } = inline;
    const env = {
      ...rest,
      MIRRORS: JSON.stringify([
        {
          name: "inline",
          source: { type: "file", path: path.join(root, "src") },
          destinations: [{ type: "drive", driveId: DEFAULT_DRIVE_IDS.opsReports, path: "/inline" }],
        },
      ]),
    };
    expect((await mirror(env)).status).toBe(0);
    const shown = await status(env);
    expect(shown.stdout).toMatch(/inline\s+ok/);
    expect(shown.stdout).not.toMatch(/alpha\s+ok/);
  });

  it("MIRROR_STATE_DIR chooses the folder for both commands", async () => {
    const dir = path.join(root, "chosen");
    const env = envFor("beta", { MIRROR_STATE_DIR: dir });
    expect((await mirror(env)).status).toBe(0);
    await access(path.join(dir, "mirror-state.json"));
    expect((await status(env)).stdout).toMatch(/beta\s+ok/);
  });

  it("the shared folder of earlier versions is still read, then moved by the next mirror run", async () => {
    // Make gamma's state look as an earlier version left it: in the shared folder itself.
    const shared = path.join(stateHome(), "graph-mirror");
    expect((await mirror(envFor("gamma"))).status).toBe(0);
    const gammaDir = (await readdir(path.join(shared, "mirrors"))).map((d) =>
      path.join(shared, "mirrors", d),
    );
    const own = [];
    for (const dir of gammaDir)
      if ((await status({ ...envFor("gamma"), MIRROR_STATE_DIR: dir })).stdout.includes("gamma"))
        own.push(dir);
    expect(own).toHaveLength(1);
    await rename(path.join(own[0] ?? "", "mirror-state.json"), path.join(shared, "mirror-state.json"));

    const before = await status(envFor("gamma"));
    expect(before.stdout).toMatch(/gamma\s+ok/);
    expect(before.stderr).toContain("reading the shared state folder of earlier versions");

    const run = await mirror(envFor("gamma"));
    expect(run.status).toBe(0);
    expect(run.stderr).toContain("moved the shared state of earlier versions");
    await expect(access(path.join(shared, "mirror-state.json"))).rejects.toThrow(/ENOENT/);
    const after = await status(envFor("gamma"));
    expect(after.stderr).toBe("");
    // Both runs are there: the manifest came along, so the second run uploaded nothing again.
    expect(after.stdout.match(/gamma\s+ok/g)).toHaveLength(2);
    expect(after.stdout).toMatch(/gamma\s+ok\s+1 listed, 1 unchanged, 0 job\(s\)/);
  });

  it("status with no definitions and no folder says what to set", async () => {
    const { MIRRORS_FILE: _file, ...env } = envFor("alpha");
    await expect(statusCommand({ limit: "10" }, { env, stdout: captureStream().stream })).rejects.toThrow(
      /MIRRORS_FILE: or MIRRORS is required.*--state-dir \/ MIRROR_STATE_DIR/,
    );
  });
});
