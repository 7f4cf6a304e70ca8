/**
 * Conformance with a client we did not write (issue 18): rclone (Debian's 1.60.1 in CI, installed by .ci/run)
 * copies files to the emulator in its `field` profile through the CONNECT proxy, believing it talks to
 * graph.microsoft.com. Collected only when rclone is installed; under CI a missing rclone fails the run
 * (vitest.config.ts). docs/emulator.md "Clients we did not write" lists what rclone does that the field
 * profile had to settle.
 */
import { mkdir, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quickXorHashOf } from "../../../src/core/shared/quickXorHash.js";
import { DEFAULT_DRIVE_IDS, type RunningEmulator, startEmulator } from "../../../src/emulator/index.js";
import { patternBytes } from "../../support/emulator.js";
import { tempDir } from "../../support/emulatorTls.js";
import { RCLONE_REMOTE, rcloneEnv, runRclone } from "../../support/rclone.js";

const drive = DEFAULT_DRIVE_IDS.opsDocuments;
const FILES: Record<string, Buffer> = {
  "small.txt": Buffer.from("hello from rclone\n"),
  "empty.txt": Buffer.alloc(0),
  "one-chunk.bin": patternBytes(100_000, 2),
  // 320 KiB chunks: four fragments, the last one short.
  "sub/multi-chunk.bin": patternBytes(1_000_000, 3),
  "sub/deeper/exact.bin": patternBytes(2 * 327_680, 4),
};

let emu: RunningEmulator;
let env: NodeJS.ProcessEnv;
let src: string;
let removeTemp: () => Promise<void>;

beforeAll(async () => {
  const temp = await tempDir("emu-rclone-");
  removeTemp = temp.remove;
  src = path.join(temp.dir, "src");
  for (const [name, bytes] of Object.entries(FILES)) {
    await mkdir(path.dirname(path.join(src, name)), { recursive: true });
    await writeFile(path.join(src, name), bytes);
  }
  emu = await startEmulator({
    profile: "field",
    proxy: true,
    https: { caDir: path.join(temp.dir, "ca") },
    // The one field behaviour rclone 1.60 trips (docs/emulator.md): it sends the bearer token to upload URLs,
    // which the service documents "may" answer 401; rclone stopped in 1.66 (rclone#7405).
    limits: { rejectAuthorizationOnUploadUrl: false },
  });
  await writeFile(path.join(temp.dir, "rclone.conf"), "");
  env = rcloneEnv(emu, drive, temp.dir);
});

afterAll(async () => {
  await emu?.close();
  await removeTemp?.();
});

describe("rclone uploads to the emulator as to graph.microsoft.com (field profile)", () => {
  it("copies small, empty and multi-chunk files byte-identical, with the hash the service would show", async () => {
    const run = await runRclone(["copy", src, `${RCLONE_REMOTE}:dest`, "--onedrive-chunk-size", "320k"], env);
    expect(run.code, run.log).toBe(0);
    for (const [name, bytes] of Object.entries(FILES)) {
      const stored = emu.inspect.readItem(drive, `/dest/${name}`);
      expect(stored?.equals(bytes), name).toBe(true);
      const summary = emu.inspect.items(drive).find((i) => i.path === `/dest/${name}`);
      if (bytes.length > 0) expect(summary?.quickXorHash, name).toBe(quickXorHashOf(bytes));
    }
    const log = emu.inspect.requestLog();
    // Everything went through the proxy to the two hosts: Graph calls with the token, fragments to the upload host.
    expect(
      log.filter((r) => r.host === "upload" && r.route === "uploadFragment").length,
    ).toBeGreaterThanOrEqual(4 + 2 + 1 + 1);
    expect(log.filter((r) => r.host === "graph").every((r) => r.hadAuthorization)).toBe(true);
    expect(log.some((r) => r.route === "unknown")).toBe(false);
  });

  it("keeps the modification time rclone sets (PATCH fileSystemInfo after a simple upload of an empty file)", async () => {
    const local = await stat(path.join(src, "empty.txt"));
    const item = emu.inspect.item(drive, "/dest/empty.txt") as {
      fileSystemInfo: { lastModifiedDateTime: string };
    };
    expect(Date.parse(item.fileSystemInfo.lastModifiedDateTime)).toBe(
      Math.floor(local.mtimeMs / 1000) * 1000,
    );
  });

  it("rclone check lists the folder back and agrees on every size and hash", async () => {
    const run = await runRclone(["check", src, `${RCLONE_REMOTE}:dest`], env);
    expect(run.code, run.log).toBe(0);
    expect(run.log).toMatch(/0 differences found/);
  });

  it("a second copy finds nothing to transfer (sizes, dates and hashes read back as written)", async () => {
    emu.inspect.clearLog();
    const run = await runRclone(["copy", src, `${RCLONE_REMOTE}:dest`, "--onedrive-chunk-size", "320k"], env);
    expect(run.code, run.log).toBe(0);
    expect(
      emu.inspect.requestLog().filter((r) => r.route === "createUploadSession" || r.route === "simpleUpload"),
    ).toEqual([]);
  });
});
