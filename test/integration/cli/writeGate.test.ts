import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uploadCommand } from "../../../src/cli/commands/upload.js";
import { DEFAULT_DRIVE_IDS, type RunningEmulator, startEmulator } from "../../../src/emulator/index.js";

/** An unsigned JWT is enough: capability detection reads claims, it does not verify signatures. */
function jwt(claims: Record<string, unknown>): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "none", typ: "JWT" })}.${part(claims)}.signature`;
}

function io(env: Record<string, string>) {
  const out = Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.WriteStream;
  const err = new PassThrough();
  let errText = "";
  err.on("data", (d: Buffer) => {
    errText += d.toString();
  });
  return { env, stdout: out, stderr: err as unknown as NodeJS.WriteStream, errText: () => errText };
}

describe("graph-mirror upload refuses writes with a token known to be read-only", () => {
  let emu: RunningEmulator;
  let dir: string;
  beforeAll(async () => {
    emu = await startEmulator();
    dir = await mkdtemp(path.join(os.tmpdir(), "gm-gate-"));
  });
  afterAll(async () => {
    await emu.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("fails before any Graph call, saying which permission is missing", async () => {
    const file = path.join(dir, "report.txt");
    await writeFile(file, "hello");
    const readOnly = jwt({ scp: "Files.Read.All Sites.Read.All User.Read", tid: "t", oid: "u" });
    emu.inspect.clearLog();
    const run = io({ GRAPH_BASE_URL: emu.graphBaseUrl, GRAPH_ACCESS_TOKEN: readOnly, XDG_STATE_HOME: dir });
    await expect(
      uploadCommand(
        [file],
        { to: `drive:${DEFAULT_DRIVE_IDS.opsDocuments}:/gate/`, conflict: "replace", parallel: "1" },
        run,
      ),
    ).rejects.toThrow(/refused before any upload.*Files\.ReadWrite\.All/s);
    expect(emu.inspect.requestLog()).toHaveLength(0);
    expect(emu.inspect.readItem(DEFAULT_DRIVE_IDS.opsDocuments, "/gate/report.txt")).toBeUndefined();
  });
});
