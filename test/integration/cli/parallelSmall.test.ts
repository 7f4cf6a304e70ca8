/**
 * `--parallel-small` (docs/upload.md "Concurrency", issue 17 item 3): small files (simple uploads) run with
 * their own, higher limit beside `--parallel` for large ones. Measured at the emulator: simple uploads are
 * counted in flight by a counting reverse proxy in front of its Graph host (every request over real sockets),
 * large uploads by the emulator's sessions receiving a fragment. Each request waits `latencyMs`, so uploads overlap.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uploadCommand } from "../../../src/cli/commands/upload.js";
import {
  DEFAULT_DRIVE_IDS,
  DEFAULT_TOKEN,
  type RunningEmulator,
  startEmulator,
} from "../../../src/emulator/index.js";

const ops = DEFAULT_DRIVE_IDS.opsDocuments;

function io(env: Record<string, string>) {
  const out = Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.WriteStream;
  out.resume();
  const err = new PassThrough();
  let errText = "";
  err.on("data", (d: Buffer) => {
    errText += d.toString();
  });
  return { env, stdout: out, stderr: err as unknown as NodeJS.WriteStream, errText: () => errText };
}

/** Forwards every request to `target`, counting simple uploads (PUT .../content) in flight. */
async function countingProxy(target: string) {
  const upstream = new URL(target);
  const counts = { inFlight: 0, peak: 0, total: 0 };
  const server = http.createServer((req, res) => {
    const simple = req.method === "PUT" && /\/content$/.test((req.url ?? "").split("?")[0] ?? "");
    if (simple) {
      counts.inFlight++;
      counts.total++;
      counts.peak = Math.max(counts.peak, counts.inFlight);
    }
    const done = () => {
      if (simple) counts.inFlight--;
    };
    const forward = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on("end", done);
      },
    );
    forward.on("error", () => {
      done();
      res.destroy();
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    counts,
    baseUrl: `http://127.0.0.1:${port}${upstream.pathname}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function makeFiles(dir: string, count: number, size: number, prefix = "f"): Promise<string[]> {
  const files = Array.from({ length: count }, (_, i) =>
    path.join(dir, `${prefix}${String(i).padStart(2, "0")}.bin`),
  );
  for (const [i, file] of files.entries()) await writeFile(file, Buffer.alloc(size, i));
  return files;
}

describe("graph-mirror upload --parallel-small", () => {
  let emu: RunningEmulator;
  let dir: string;
  /** Files over 64 KiB go by upload session (SIMPLE_UPLOAD_MAX), so small test files still make sessions. */
  const sessionEnv = () => ({
    GRAPH_BASE_URL: emu.graphBaseUrl,
    GRAPH_ACCESS_TOKEN: DEFAULT_TOKEN,
    SIMPLE_UPLOAD_MAX: "64KiB",
  });
  beforeAll(async () => {
    emu = await startEmulator({ latencyMs: 150 });
    dir = await mkdtemp(path.join(os.tmpdir(), "gm-parallel-small-"));
  });
  afterAll(async () => {
    await emu?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps at most --parallel-small simple uploads in flight, and many of them at once", async () => {
    const proxy = await countingProxy(emu.graphBaseUrl);
    try {
      const smallDir = await mkdtemp(path.join(dir, "small-"));
      const files = await makeFiles(smallDir, 40, 2048);
      const env = { GRAPH_BASE_URL: proxy.baseUrl, GRAPH_ACCESS_TOKEN: DEFAULT_TOKEN };
      const cli = io(env);
      const code = await uploadCommand(
        files,
        { to: `drive:${ops}:/small/`, conflict: "replace", json: true, parallel: "2", parallelSmall: "8" },
        cli,
      );
      expect(cli.errText()).toBe("");
      expect(code).toBe(0);
      expect(proxy.counts.total).toBe(40);
      expect(proxy.counts.peak).toBeLessThanOrEqual(8);
      expect(proxy.counts.peak).toBeGreaterThanOrEqual(5);
      expect(emu.inspect.items(ops).filter((i) => i.path.startsWith("/small/"))).toHaveLength(40);
    } finally {
      await proxy.close();
    }
  });

  it("still runs at most --parallel large files at once beside the small ones", async () => {
    const mixedDir = await mkdtemp(path.join(dir, "mixed-"));
    // SIMPLE_UPLOAD_MAX 64 KiB: the 700 KiB files go by upload session (three fragments of 320 KiB each).
    const large = await makeFiles(mixedDir, 6, 700 * 1024);
    const small = await makeFiles(await mkdtemp(path.join(dir, "mixed-small-")), 10, 1024, "s");
    let peakFragments = 0;
    const poll = setInterval(() => {
      peakFragments = Math.max(
        peakFragments,
        emu.inspect
          .sessions()
          // A fragment on the wire: a consumer is busy with that file (open sessions interleave, as before).
          .filter((s) => s.path.includes("/mixed/") && s.receiving !== undefined).length,
      );
    }, 5);
    try {
      const cli = io(sessionEnv());
      const code = await uploadCommand(
        [...large, ...small],
        {
          to: `drive:${ops}:/mixed/`,
          conflict: "replace",
          json: true,
          chunkSize: "320KiB",
          parallel: "2",
          parallelSmall: "8",
        },
        cli,
      );
      expect(cli.errText()).toBe("");
      expect(code).toBe(0);
    } finally {
      clearInterval(poll);
    }
    expect(peakFragments).toBeGreaterThanOrEqual(1);
    expect(peakFragments).toBeLessThanOrEqual(2);
  });

  it("opens the next files' sessions beside the fragments, at most --parallel files ahead", async () => {
    const prepDir = await mkdtemp(path.join(dir, "prep-"));
    // By upload session (SIMPLE_UPLOAD_MAX 64 KiB), three fragments each (320 KiB chunks): every request waits
    // the emulator's 150 ms round trip.
    const files = await makeFiles(prepDir, 8, 700 * 1024);
    let peakWaiting = 0;
    const poll = setInterval(() => {
      const open = emu.inspect.sessions().filter((s) => s.path.startsWith("/prep/"));
      // Opened and not yet sent a byte: a session prepared ahead of its file's turn.
      const waiting = open.filter((s) => s.receivedBytes === 0 && s.receiving === undefined).length;
      peakWaiting = Math.max(peakWaiting, waiting);
    }, 5);
    const logStart = emu.inspect.requestLog().length;
    try {
      const cli = io(sessionEnv());
      const code = await uploadCommand(
        files,
        { to: `drive:${ops}:/prep/`, conflict: "replace", json: true, chunkSize: "320KiB", parallel: "2" },
        cli,
      );
      expect(cli.errText()).toBe("");
      expect(code).toBe(0);
    } finally {
      clearInterval(poll);
    }
    const log = emu.inspect.requestLog().slice(logStart);
    const sessions = log.filter((r) => r.route === "createUploadSession" && r.status === 200);
    const fragments = log.filter((r) => r.route === "uploadFragment");
    expect(sessions).toHaveLength(8);
    expect(fragments).toHaveLength(8 * 3);
    // Each request is in flight for at least the 150 ms round trip after it arrived (its body is tiny).
    const peakOverlap = (entries: typeof log) =>
      Math.max(...entries.map((e) => entries.filter((o) => o.at <= e.at && e.at < o.at + 140).length));
    expect(peakOverlap(fragments)).toBeLessThanOrEqual(2);
    // Session creation ran beside two files' fragments: more than --parallel requests in flight at once, which
    // two consumers alternating between creating sessions and sending fragments could never reach.
    expect(peakOverlap([...sessions, ...fragments])).toBeGreaterThanOrEqual(3);
    // A consumer keeps its file: while one file's fragments go out, at most the other consumer's files' do
    // (a file's fragments share its session's upload path).
    const others = (mine: string) => {
      const at = fragments.filter((f) => f.path === mine).map((f) => f.at);
      const during = fragments.filter(
        (f) => f.path !== mine && f.at > Math.min(...at) && f.at < Math.max(...at),
      );
      return new Set(during.map((f) => f.path)).size;
    };
    expect(Math.max(...[...new Set(fragments.map((f) => f.path))].map(others))).toBeLessThanOrEqual(2);
    // Ready or being prepared: at most --parallel files ahead, plus the files a consumer just took.
    expect(peakWaiting).toBeLessThanOrEqual(4);
    expect(emu.inspect.items(ops).filter((i) => i.path.startsWith("/prep/"))).toHaveLength(8);
  });

  it("refuses --parallel-small outside 1-64, naming the option and the rule", async () => {
    const cli = io({ GRAPH_BASE_URL: emu.graphBaseUrl, GRAPH_ACCESS_TOKEN: DEFAULT_TOKEN });
    await expect(
      uploadCommand(
        ["x"],
        { to: `drive:${ops}:/x`, conflict: "replace", parallel: "4", parallelSmall: "65" },
        cli,
      ),
    ).rejects.toThrow(/--parallel-small: must be a whole number from 1 to 64/);
  });
});
