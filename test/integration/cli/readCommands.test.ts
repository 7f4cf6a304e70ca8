/**
 * `graph-mirror ls` and `graph-mirror check` against the Graph emulator over sockets, with the emulator's
 * read-only token and its full one: listings across pages, the rclone-shaped JSON, local QuickXorHash
 * comparison, exit codes, and the read gate refusing a token that cannot read before any request is made.
 */
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkCommand } from "../../../src/cli/commands/check.js";
import { lsCommand } from "../../../src/cli/commands/ls.js";
import { quickXorHashOf } from "../../../src/core/shared/quickXorHash.js";
import { DEFAULT_DRIVE_IDS, DEFAULT_TOKEN, READ_ONLY_TOKEN } from "../../../src/emulator/index.js";
import type { CheckJson } from "../../../src/read/checkReport.js";
import { encodePath, startTestEmulator, type TestEmulator } from "../../support/emulator.js";

const DRIVE = DEFAULT_DRIVE_IDS.opsDocuments;
const SITE = "sharepoint:https://contoso.sharepoint.com/sites/Ops:Documents";

/** An unsigned JWT is enough: capability detection reads claims, it does not verify signatures. */
function jwt(claims: Record<string, unknown>): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "none", typ: "JWT" })}.${part(claims)}.signature`;
}

let emu: TestEmulator;
let dir: string;
const big = randomBytes(1000);
const remoteFiles: Record<string, Buffer> = {
  "/check/a.txt": Buffer.from("alpha"),
  "/check/sub/b.bin": big,
  "/check/sub/deep/c.txt": Buffer.from("gamma"),
  "/check/d.txt": Buffer.from("short"),
  "/check/remote-only.txt": Buffer.from("only there"),
};

beforeAll(async () => {
  // Two children per page: every listing below needs the next links.
  emu = await startTestEmulator({ limits: { childrenPageSize: 2 } });
  dir = await mkdtemp(path.join(os.tmpdir(), "gm-read-"));
  for (const [file, bytes] of Object.entries(remoteFiles)) {
    const response = await emu.graph(`/drives/${DRIVE}/root:${encodePath(file)}:/content`, {
      method: "PUT",
      body: bytes,
    });
    expect(response.status).toBeLessThan(300);
  }
});
afterAll(async () => {
  await emu?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function io(token: string, extra: Record<string, string> = {}) {
  let out = "";
  let err = "";
  return {
    env: { GRAPH_BASE_URL: emu.graphBaseUrl, GRAPH_ACCESS_TOKEN: token, XDG_STATE_HOME: dir, ...extra },
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text) },
    out: () => out,
    err: () => err,
  };
}

async function localFolder(name: string, files: Record<string, string | Buffer>): Promise<string> {
  const root = path.join(dir, name);
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), content);
  }
  return root;
}

describe("graph-mirror ls", () => {
  it.each([
    ["read-only", READ_ONLY_TOKEN],
    ["full", DEFAULT_TOKEN],
  ])("lists a folder with sizes, modified times and hashes (%s token)", async (_kind, token) => {
    const run = io(token);
    expect(await lsCommand(`drive:${DRIVE}:/check`, {}, run)).toBe(0);
    const lines = run.out().trimEnd().split("\n");
    expect(lines.map((l) => l.split(/\s+/).pop())).toEqual(["a.txt", "d.txt", "remote-only.txt", "sub/"]);
    const a = lines[0] ?? "";
    expect(a).toMatch(/^\s+5 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} /);
    expect(a).toContain(quickXorHashOf(Buffer.from("alpha")));
  });

  it("--recursive --json prints every page in the shape of rclone lsjson", async () => {
    emu.inspect.clearLog();
    const run = io(READ_ONLY_TOKEN);
    expect(await lsCommand(`${SITE}:/check/`, { recursive: true, json: true }, run)).toBe(0);
    const entries = JSON.parse(run.out()) as Record<string, unknown>[];
    expect(entries.map((e) => e.Path)).toEqual([
      "a.txt",
      "d.txt",
      "remote-only.txt",
      "sub",
      "sub/b.bin",
      "sub/deep",
      "sub/deep/c.txt",
    ]);
    const b = entries.find((e) => e.Path === "sub/b.bin");
    expect(Object.keys(b ?? {}).sort()).toEqual(["Hashes", "ID", "IsDir", "ModTime", "Name", "Path", "Size"]);
    expect(b).toMatchObject({
      Name: "b.bin",
      Size: 1000,
      IsDir: false,
      Hashes: { quickxor: quickXorHashOf(big) },
    });
    expect(typeof b?.ID).toBe("string");
    expect(Number.isNaN(Date.parse(String(b?.ModTime)))).toBe(false);
    const sub = entries.find((e) => e.Path === "sub");
    expect(sub).toMatchObject({ IsDir: true, Size: -1 });
    expect(sub).not.toHaveProperty("Hashes");
    // /check has 4 children at 2 per page (2 pages: the second only through the next link), sub and sub/deep 1 each.
    const pages = emu.inspect.requestLog().filter((r) => r.route === "listChildren").length;
    expect(pages).toBe(4);
    expect(emu.inspect.requestLog().every((r) => r.method === "GET")).toBe(true);
  });

  it("lists one file when the path names a file, and exits 1 when nothing is there", async () => {
    const one = io(DEFAULT_TOKEN);
    expect(await lsCommand(`drive:${DRIVE}:/check/sub/b.bin`, { json: true }, one)).toBe(0);
    expect((JSON.parse(one.out()) as { Path: string }[]).map((e) => e.Path)).toEqual(["b.bin"]);
    const none = io(DEFAULT_TOKEN);
    expect(await lsCommand(`drive:${DRIVE}:/no/such/folder`, {}, none)).toBe(1);
    expect(none.err()).toMatch(/nothing at drive:.*\/no\/such\/folder/);
  });

  it("refuses a token that cannot read files before any request, and a bad destination naming the argument", async () => {
    emu.inspect.clearLog();
    const userOnly = jwt({ scp: "User.Read openid", tid: "t", oid: "u" });
    await expect(lsCommand(`drive:${DRIVE}:/check`, {}, io(userOnly))).rejects.toThrow(
      /reads refused before any request.*User\.Read.*Files\.Read\.All/s,
    );
    await expect(lsCommand("ftp:somewhere", {}, io(DEFAULT_TOKEN))).rejects.toThrow(
      /<destination>: must be drive:/,
    );
    expect(emu.inspect.requestLog()).toHaveLength(0);
  });
});

describe("graph-mirror check", () => {
  const same = {
    "a.txt": "alpha",
    "sub/b.bin": big,
    "sub/deep/c.txt": "gamma",
    "d.txt": "short",
    "remote-only.txt": "only there",
  };

  it.each([
    ["read-only", READ_ONLY_TOKEN],
    ["full", DEFAULT_TOKEN],
  ])("exits 0 when every file matches by size and QuickXorHash (%s token)", async (kind, token) => {
    const root = await localFolder(`same-${kind}`, same);
    const run = io(token);
    expect(await checkCommand(root, `drive:${DRIVE}:/check`, {}, run)).toBe(0);
    expect(run.out()).toContain("= sub/b.bin");
    expect(run.out()).toMatch(
      /5 matching, 0 differing, 0 missing at the destination, 0 missing in the source/,
    );
  });

  it("reports files that differ or are missing on either side, and exits 1", async () => {
    const root = await localFolder("differ", {
      "a.txt": "alpha",
      "sub/b.bin": big,
      "sub/deep/c.txt": "GAMMA", // same size, other bytes: only the hash tells
      "d.txt": "longer than there",
      "local-only.txt": "here",
    });
    const text = io(READ_ONLY_TOKEN);
    expect(await checkCommand(root, `drive:${DRIVE}:/check`, {}, text)).toBe(1);
    expect(text.out().split("\n").slice(0, 6)).toEqual([
      "= a.txt",
      "* d.txt (size 17 here, 5 there)",
      "- local-only.txt",
      "+ remote-only.txt",
      "= sub/b.bin",
      "* sub/deep/c.txt (same size, different QuickXorHash)",
    ]);

    const json = io(READ_ONLY_TOKEN);
    expect(await checkCommand(root, `drive:${DRIVE}:/check`, { json: true }, json)).toBe(1);
    const report = JSON.parse(json.out()) as CheckJson;
    expect(report.differences).toBe(4);
    expect(report.checks).toHaveLength(1);
    const [run] = report.checks;
    expect(run?.summary).toEqual({ match: 2, differ: 2, missingOnDestination: 1, missingOnSource: 1 });
    expect(run?.destination).toBe(`drive:${DRIVE}:/check`);
    expect(run?.files.find((f) => f.path === "sub/deep/c.txt")).toEqual({
      path: "sub/deep/c.txt",
      status: "differ",
      reason: "hash",
      source: { size: 5, quickXorHash: quickXorHashOf(Buffer.from("GAMMA")) },
      destination: {
        size: 5,
        quickXorHash: quickXorHashOf(Buffer.from("gamma")),
        modified: expect.any(String),
      },
    });
    expect(run?.files.find((f) => f.path === "local-only.txt")).toEqual({
      path: "local-only.txt",
      status: "missing-on-destination",
      source: { size: 4 },
    });
  });

  it("--mirror checks every destination of a definition against its source, with its globs", async () => {
    const root = await localFolder("mirror-src", { ...same, "skip.tmp": "not mirrored" });
    const mirrors = JSON.stringify([
      {
        name: "ops-check",
        source: { type: "file", path: root },
        exclude: ["*.tmp", "remote-only.txt"],
        destinations: [
          { type: "drive", driveId: DRIVE, path: "/check" },
          {
            type: "sharepoint",
            site: "https://contoso.sharepoint.com/sites/Ops",
            library: "Documents",
            path: "/not-yet",
          },
        ],
      },
    ]);
    const run = io(READ_ONLY_TOKEN, { MIRRORS: mirrors, ALLOWED_FILE_ROOTS: dir });
    expect(await checkCommand(undefined, undefined, { mirror: "ops-check", json: true }, run)).toBe(1);
    const report = JSON.parse(run.out()) as CheckJson;
    expect(report.checks.map((c) => c.summary)).toEqual([
      { match: 4, differ: 0, missingOnDestination: 0, missingOnSource: 0 },
      { match: 0, differ: 0, missingOnDestination: 4, missingOnSource: 0 },
    ]);
    expect(report.checks[1]?.destination).toBe(
      "sharepoint:https://contoso.sharepoint.com/sites/Ops:Documents:/not-yet",
    );
    await expect(checkCommand(undefined, undefined, { mirror: "nope" }, run)).rejects.toThrow(
      /--mirror: no mirror named "nope"/,
    );
  });

  it("refuses a token that cannot read before any request, and missing arguments by name", async () => {
    emu.inspect.clearLog();
    const root = await localFolder("gate", { "a.txt": "alpha" });
    const userOnly = jwt({ scp: "User.Read", tid: "t", oid: "u" });
    await expect(checkCommand(root, `drive:${DRIVE}:/check`, {}, io(userOnly))).rejects.toThrow(
      /reads refused before any request/,
    );
    await expect(checkCommand(root, undefined, {}, io(DEFAULT_TOKEN))).rejects.toThrow(
      /<local-folder> <destination>: both are required/,
    );
    expect(emu.inspect.requestLog()).toHaveLength(0);
  });
});
