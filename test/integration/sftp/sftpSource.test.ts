/**
 * The SFTP source against a real OpenSSH server (test/support/sshd.ts) and the real engine against the Graph
 * emulator: byte-identical uploads, range reads on resume, host-key pinning, a file changing mid-upload, and the
 * connection pool's bound.
 */
import { randomBytes } from "node:crypto";
import { appendFile, readFile, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSftpConfig, type SftpConfig } from "../../../src/config/sftp.js";
import type { SourceRef } from "../../../src/core/job/job.js";
import type { ByteSource } from "../../../src/core/ports/common.js";
import { SourceChangedError } from "../../../src/core/ports/common.js";
import { quickXorHashOf } from "../../../src/core/shared/quickXorHash.js";
import { newJob } from "../../../src/core/upload/engine.js";
import { createSourceOpener } from "../../../src/sources/opener.js";
import { HostKeyRefusedError } from "../../../src/sources/sftp/connect.js";
import { SftpPool } from "../../../src/sources/sftp/pool.js";
import { SftpSource } from "../../../src/sources/sftp/sftpSource.js";
import { keygen, type RunningSshd, startSshd } from "../../support/sshd.js";
import { DRIVE, drive, KIB320, startWorld, type World } from "../engine/support.js";

let sshd: RunningSshd;
let world: World;
let config: SftpConfig;
const pools: SftpPool[] = [];

beforeAll(async () => {
  [sshd, world] = await Promise.all([startSshd(), startWorld()]);
  config = parseSftpConfig({ SFTP_PRIVATE_KEY: sshd.privateKey, SFTP_KNOWN_HOSTS: sshd.knownHostsLine });
});
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
  await Promise.all([sshd?.stop(), world?.close()]);
});

function pool(overrides: Partial<SftpConfig> = {}): SftpPool {
  const created = new SftpPool({ ...config, ...overrides });
  pools.push(created);
  return created;
}

function ref(file: string): Extract<SourceRef, { type: "sftp" }> {
  return { type: "sftp", host: sshd.host, port: sshd.port, username: sshd.username, path: file };
}

async function serve(name: string, bytes: Buffer): Promise<string> {
  const file = path.join(sshd.files, name);
  await writeFile(file, bytes);
  return file;
}

function sftpJob(file: string, destination: string, jobId = `sftp-${path.basename(file)}`) {
  return newJob({
    jobId,
    requestId: "itest",
    source: ref(file),
    destination: { type: "drive", driveId: DRIVE, path: destination },
    conflictBehavior: "replace",
    chunkSize: KIB320,
    simpleUploadMax: 0,
    now: Date.now(),
  });
}

/** Engine dependencies reading through `sftp`; `counted` wraps each source to count the bytes it returned. */
function sftpDeps(sftp: SftpPool, counted?: { bytes: number }, policy = {}) {
  const opener = createSourceOpener({ requestTimeoutMs: 10_000, sftpPool: () => sftp });
  return {
    ...world.deps(policy),
    sources: {
      open(source: SourceRef): ByteSource {
        const inner = opener.open(source);
        if (!counted) return inner;
        return {
          description: inner.description,
          fingerprint: (signal) => inner.fingerprint(signal),
          async read(offset, length, expected, signal, into) {
            const bytes = await inner.read(offset, length, expected, signal, into);
            counted.bytes += bytes.length;
            return bytes;
          },
        };
      },
    },
  };
}

describe("SFTP source (real OpenSSH server)", () => {
  it("uploads a file from the SSH server to the emulator byte-identical", async () => {
    const bytes = randomBytes(3 * KIB320 + 1234);
    const file = await serve("full.bin", bytes);
    const run = await drive(sftpJob(file, "/sftp/full.bin"), sftpDeps(pool()));
    expect(run.job.status, JSON.stringify(run.job.lastError)).toBe("completed");
    expect(run.job.fingerprint?.size).toBe(bytes.length);
    expect(run.job.result?.quickXorHash).toBe(quickXorHashOf(bytes));
    expect(world.emu.inspect.readItem(DRIVE, "/sftp/full.bin")?.equals(bytes)).toBe(true);
  });

  it("reads exactly the range asked for", async () => {
    const bytes = randomBytes(600_000);
    const source = new SftpSource(ref(await serve("range.bin", bytes)), pool());
    const fingerprint = await source.fingerprint();
    expect(fingerprint.size).toBe(bytes.length);
    // Larger than one SFTP read (OpenSSH answers at most 255 KiB per request): the source must loop.
    const part = await source.read(12_345, 400_000, fingerprint);
    expect(Buffer.from(part).equals(bytes.subarray(12_345, 412_345))).toBe(true);
  });

  it("a resumed upload reads only the bytes the server is missing", async () => {
    const bytes = randomBytes(6 * KIB320 + 99);
    const file = await serve("resume.bin", bytes);
    const first = await drive(
      sftpJob(file, "/sftp/resume.bin"),
      sftpDeps(pool()),
      (j) => j.confirmedOffset >= 3 * KIB320,
    );
    const resumedAt = first.job.confirmedOffset;
    expect(resumedAt).toBeGreaterThan(0);
    // A new process (new pool, new source) picks the job up from its saved state.
    const counted = { bytes: 0 };
    const rest = await drive(first.job, sftpDeps(pool(), counted));
    expect(rest.job.status, JSON.stringify(rest.job.lastError)).toBe("completed");
    expect(counted.bytes).toBe(bytes.length - resumedAt);
    expect(world.emu.inspect.readItem(DRIVE, "/sftp/resume.bin")?.equals(bytes)).toBe(true);
  });

  it("refuses a server whose host key differs from the pinned one, showing the presented fingerprint", async () => {
    const otherKey = path.join(sshd.dir, "other_host_key");
    await keygen(otherKey);
    const [type, key] = (await readFile(`${otherKey}.pub`, "utf8")).trim().split(/\s+/);
    const wrong = parseSftpConfig({
      SFTP_PRIVATE_KEY: sshd.privateKey,
      SFTP_KNOWN_HOSTS: `[127.0.0.1]:${sshd.port} ${type} ${key}`,
    });
    const source = new SftpSource(ref(await serve("pinned.bin", randomBytes(10))), pool(wrong));
    const refused = await source.fingerprint().catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(HostKeyRefusedError);
    const message = (refused as Error).message;
    expect(message).toContain(sshd.hostKeyFingerprint);
    expect(message).toMatch(/does not match the one pinned in SFTP_KNOWN_HOSTS/);
    expect(message).not.toContain("PRIVATE KEY");
  });

  it("refuses a server with no pinned key, and the engine fails the job with the fingerprint", async () => {
    const unpinned = { ...config, knownHosts: [] };
    const file = await serve("unknown.bin", randomBytes(100));
    const run = await drive(sftpJob(file, "/sftp/unknown.bin"), sftpDeps(pool(unpinned)));
    expect(run.job.status).toBe("failed");
    expect(run.job.lastError?.code).toBe("source-unreadable");
    expect(run.job.lastError?.message).toContain(sshd.hostKeyFingerprint);
    expect(run.job.lastError?.message).toMatch(/no host key is pinned for \[127\.0\.0\.1\]:\d+/);
    expect(world.emu.inspect.readItem(DRIVE, "/sftp/unknown.bin")).toBeUndefined();
  });

  it("throws SourceChangedError when size or mtime changed since the fingerprint", async () => {
    const file = await serve("stale.bin", randomBytes(1000));
    const source = new SftpSource(ref(file), pool());
    const fingerprint = await source.fingerprint();
    await appendFile(file, "more");
    await expect(source.read(0, 10, fingerprint)).rejects.toBeInstanceOf(SourceChangedError);
    const same = await source.fingerprint();
    await utimes(file, new Date(), new Date(Date.now() + 60_000));
    await expect(source.read(0, 10, same)).rejects.toBeInstanceOf(SourceChangedError);
  });

  it("a file rewritten mid-upload restarts the job and uploads the new version", async () => {
    const file = await serve("changing.bin", randomBytes(4 * KIB320 + 7));
    const deps = sftpDeps(pool());
    const run = await drive(sftpJob(file, "/sftp/changing.bin"), deps, (j) => j.confirmedOffset >= KIB320);
    const replacement = randomBytes(3 * KIB320 + 11);
    await writeFile(file, replacement);
    await drive(run.job, deps, undefined, 200, run);
    expect(run.events).toContainEqual({ type: "source-changed", action: "restart" });
    expect(run.job.status, JSON.stringify(run.job.lastError)).toBe("completed");
    expect(world.emu.inspect.readItem(DRIVE, "/sftp/changing.bin")?.equals(replacement)).toBe(true);
  });

  it("with the fail policy, a file rewritten mid-upload fails the job", async () => {
    const file = await serve("failing.bin", randomBytes(4 * KIB320 + 7));
    const deps = sftpDeps(pool(), undefined, { onSourceChange: "fail" });
    const run = await drive(sftpJob(file, "/sftp/failing.bin"), deps, (j) => j.confirmedOffset >= KIB320);
    await writeFile(file, randomBytes(4 * KIB320 + 8));
    await drive(run.job, deps, undefined, 200, run);
    expect(run.job.status).toBe("failed");
    expect(run.job.lastError?.code).toBe("source-changed");
  });

  it("never holds more connections than SFTP_MAX_CONNECTIONS, and closes idle ones", async () => {
    const bytes = randomBytes(200_000);
    const bounded = pool({ maxConnections: 2, idleMs: 300 });
    const endpoint = { host: sshd.host, port: sshd.port, username: sshd.username };
    const sources = await Promise.all(
      Array.from(
        { length: 8 },
        async (_, i) => new SftpSource(ref(await serve(`pool-${i}.bin`, bytes)), bounded),
      ),
    );
    const reads = sources.map(async (source) => {
      const fingerprint = await source.fingerprint();
      return Buffer.from(await source.read(0, bytes.length, fingerprint));
    });
    // While the reads run, the rest wait for one of the two connections.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(bounded.counts(endpoint).open).toBeLessThanOrEqual(2);
    const results = await Promise.all(reads);
    expect(results.every((r) => r.equals(bytes))).toBe(true);
    expect(bounded.counts(endpoint).peak).toBe(2);
    expect(bounded.counts(endpoint).open).toBe(2);
    await waitFor(() => bounded.counts(endpoint).open === 0, 5_000);
    // A closed pool group reopens on demand.
    const [first] = sources;
    if (!first) throw new Error("no source");
    const again = await first.read(0, 10, await first.fingerprint());
    expect(Buffer.from(again).equals(bytes.subarray(0, 10))).toBe(true);
  });
});

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not reached");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
