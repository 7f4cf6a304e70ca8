/**
 * Durable mode against a real crash: the CLI emulator (`graph-mirror emulator --data DIR`) is killed with
 * SIGKILL while a fragment is streaming in, then started again on the same folder and ports.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QuickXorHash } from "../../../src/core/shared/quickXorHash.js";
import { DEFAULT_DRIVE_IDS, DEFAULT_TOKEN } from "../../../src/emulator/index.js";
import { ensureBuilt, REPO_DIR } from "../../support/builtApp.js";
import { patternBytes, putFragment } from "../../support/emulator.js";

const FRAGMENT = 327_680;

interface EmulatorProcess {
  readonly child: ChildProcess;
  readonly graphBaseUrl: string;
  readonly uploadOrigin: string;
}

/** Starts the CLI and reads the URLs from its banner ("Graph base URL : ...", "Upload origin  : ..."). */
async function startCli(dataDir: string, port: number, uploadPort: number): Promise<EmulatorProcess> {
  // lenient: the test uploads below folders that do not exist yet.
  const args = [
    ...["--profile", "lenient", "--data", dataDir],
    ...["--port", String(port), "--upload-port", String(uploadPort)],
  ];
  const child = spawn(
    process.execPath,
    [path.join(REPO_DIR, "bin", "graph-mirror.js"), "emulator", ...args],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`emulator did not start within 20 s:\n${output}`)),
      20_000,
    );
    const onData = (data: Buffer) => {
      output += data.toString();
      const graph = /Graph base URL : (\S+)/.exec(output)?.[1];
      const upload = /Upload origin {2}: (\S+)/.exec(output)?.[1];
      if (graph && upload && output.includes("Drives:")) {
        clearTimeout(timer);
        resolve({ child, graphBaseUrl: graph, uploadOrigin: upload });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`emulator exited with ${code}:\n${output}`));
    });
  });
}

function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill(signal);
  });
}

/** Polls the control API until the emulator is receiving `range` for some session (the kill must land mid-body). */
async function untilReceiving(graphBaseUrl: string, range: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  const url = `${graphBaseUrl.replace(/\/v1\.0$/, "")}/_emulator/sessions`;
  while (Date.now() < deadline) {
    const sessions = (await (await fetch(url, { signal: AbortSignal.timeout(5_000) })).json()) as {
      receiving?: string;
    }[];
    if (sessions.some((s) => s.receiving === range)) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`the emulator never started receiving ${range}`);
}

describe("emulator durable mode survives SIGKILL (CLI process)", () => {
  let dataDir: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    await ensureBuilt();
    dataDir = await mkdtemp(path.join(tmpdir(), "graph-mirror-emulator-crash-"));
  }, 180_000);
  afterAll(async () => {
    await Promise.all(children.map((child) => kill(child, "SIGKILL")));
    await rm(dataDir, { recursive: true, force: true });
  });

  it("resumes the session after a kill in the middle of a fragment", async () => {
    const first = await startCli(dataDir, 0, 0);
    children.push(first.child);
    const bytes = patternBytes(FRAGMENT * 3 + 500, 5);
    const created = await fetch(
      `${first.graphBaseUrl}/drives/${DEFAULT_DRIVE_IDS.opsDocuments}/root:/crash/file.bin:/createUploadSession`,
      {
        method: "POST",
        headers: { authorization: `Bearer ${DEFAULT_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ item: { "@microsoft.graph.conflictBehavior": "replace" } }),
        signal: AbortSignal.timeout(10_000),
      },
    );
    expect(created.status).toBe(200);
    const { uploadUrl } = (await created.json()) as { uploadUrl: string };
    expect((await putFragment(uploadUrl, bytes.subarray(0, FRAGMENT), 0, bytes.length)).status).toBe(202);

    // Half of the second fragment, then the process dies without any chance to clean up.
    const partial = request(uploadUrl, {
      method: "PUT",
      signal: AbortSignal.timeout(20_000),
      headers: {
        "content-length": FRAGMENT,
        "content-range": `bytes ${FRAGMENT}-${2 * FRAGMENT - 1}/${bytes.length}`,
      },
    });
    const broken = new Promise<void>((resolve) => {
      partial.on("error", () => resolve());
      partial.on("response", () => resolve());
    });
    partial.write(bytes.subarray(FRAGMENT, FRAGMENT + FRAGMENT / 2));
    await untilReceiving(first.graphBaseUrl, `${FRAGMENT}-${2 * FRAGMENT - 1}`);
    await kill(first.child, "SIGKILL");
    await broken;

    const second = await startCli(
      dataDir,
      Number(new URL(first.graphBaseUrl).port),
      Number(new URL(first.uploadOrigin).port),
    );
    children.push(second.child);
    const status = await fetch(uploadUrl, { signal: AbortSignal.timeout(10_000) });
    expect(status.status).toBe(200);
    expect(((await status.json()) as { nextExpectedRanges: string[] }).nextExpectedRanges).toEqual([
      `${FRAGMENT}-`,
    ]);
    let last: Response | undefined;
    for (let offset = FRAGMENT; offset < bytes.length; offset += FRAGMENT) {
      last = await putFragment(uploadUrl, bytes.subarray(offset, offset + FRAGMENT), offset, bytes.length);
    }
    expect(last?.status).toBe(201);
    const item = (await last?.json()) as { size: number; file: { hashes: { quickXorHash: string } } };
    expect(item.size).toBe(bytes.length);
    expect(item.file.hashes.quickXorHash).toBe(new QuickXorHash().update(bytes).digest());
    const content = await fetch(
      `${second.graphBaseUrl}/drives/${DEFAULT_DRIVE_IDS.opsDocuments}/root:/crash/file.bin:/content`,
      { headers: { authorization: `Bearer ${DEFAULT_TOKEN}` }, signal: AbortSignal.timeout(10_000) },
    );
    expect(Buffer.from(await content.arrayBuffer()).equals(bytes)).toBe(true);
    await kill(second.child, "SIGTERM");
  });
});
