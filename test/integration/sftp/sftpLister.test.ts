/**
 * The `sftp` source of a mirror against a real OpenSSH server: recursive listing with include/exclude globs,
 * fingerprints equal to what the engine's SFTP source records, symlinks to files followed and to folders not.
 */
import { mkdir, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSftpConfig } from "../../../src/config/sftp.js";
import { validateMirrors } from "../../../src/mirror/definitions.js";
import { globFilter } from "../../../src/mirror/globFilter.js";
import { listerFactory } from "../../../src/mirror/listers.js";
import { SftpLister } from "../../../src/mirror/sources/sftpLister.js";
import { SftpPool } from "../../../src/sources/sftp/pool.js";
import { SftpSource } from "../../../src/sources/sftp/sftpSource.js";
import { type RunningSshd, startSshd } from "../../support/sshd.js";

let sshd: RunningSshd;
let pool: SftpPool;
let root: string;

beforeAll(async () => {
  sshd = await startSshd();
  pool = new SftpPool(
    parseSftpConfig({ SFTP_PRIVATE_KEY: sshd.privateKey, SFTP_KNOWN_HOSTS: sshd.knownHostsLine }),
  );
  root = path.join(sshd.files, "export");
  await mkdir(path.join(root, "daily", "2026"), { recursive: true });
  await mkdir(path.join(root, "tmp"));
  await writeFile(path.join(root, "readme.txt"), "hello");
  await writeFile(path.join(root, "daily", "a.csv"), "1,2,3");
  await writeFile(path.join(root, "daily", "2026", "b.csv"), "4,5");
  await writeFile(path.join(root, "daily", "2026", "b.csv.part"), "partial");
  await writeFile(path.join(root, "tmp", "scratch.csv"), "x");
  await writeFile(path.join(sshd.files, "outside.csv"), "linked");
  await symlink(path.join(sshd.files, "outside.csv"), path.join(root, "link.csv"));
  await symlink(root, path.join(root, "daily", "loop")); // a folder link: not followed, so no cycle
});
afterAll(async () => {
  await pool?.close();
  await sshd?.stop();
});

const endpoint = () => ({ host: sshd.host, port: sshd.port, username: sshd.username });

describe("SftpLister", () => {
  it("lists every file recursively, with the fingerprint the engine's source records", async () => {
    const listing = await new SftpLister(endpoint(), root, pool).list(AbortSignal.timeout(10_000));
    expect(listing.entries.map((e) => e.path)).toEqual([
      "daily/2026/b.csv",
      "daily/2026/b.csv.part",
      "daily/a.csv",
      "link.csv",
      "readme.txt",
      "tmp/scratch.csv",
    ]);
    const readme = listing.entries.find((e) => e.path === "readme.txt");
    expect(readme?.ref).toEqual({ type: "sftp", ...endpoint(), path: path.join(root, "readme.txt") });
    if (readme?.ref.type !== "sftp") throw new Error("not an sftp ref");
    expect(readme.fingerprint).toEqual(await new SftpSource(readme.ref, pool).fingerprint());
    expect(listing.entries.find((e) => e.path === "link.csv")?.fingerprint.size).toBe("linked".length);
  });

  it("applies include and exclude globs to the relative paths", async () => {
    const accept = globFilter(["**/*.csv"], ["tmp/**"]);
    const listing = await new SftpLister(endpoint(), root, pool, accept).list(AbortSignal.timeout(10_000));
    expect(listing.entries.map((e) => e.path)).toEqual(["daily/2026/b.csv", "daily/a.csv", "link.csv"]);
  });

  it("is what a mirror definition with an sftp source lists (port defaults to 22 when left out)", async () => {
    const definitions = validateMirrors(
      [
        {
          name: "ssh-exports",
          source: { type: "sftp", host: sshd.host, port: sshd.port, username: sshd.username, path: root },
          include: ["daily/**"],
          destinations: [{ type: "drive", driveId: "b!x", path: "/exports" }],
        },
        {
          name: "bad",
          source: { type: "sftp", host: "user@host", port: 70000, username: "a b", path: "relative/../x" },
          destinations: [{ type: "drive", driveId: "b!x", path: "/" }],
        },
      ],
      { allowedFileRoots: [], settingName: "MIRRORS" },
    );
    const fields = definitions.invalid.flatMap((m) => m.error.problems.map((p) => p.field));
    expect([...new Set(fields)].sort()).toEqual([
      "source.host",
      "source.path",
      "source.port",
      "source.username",
    ]);
    const mirror = definitions.valid[0];
    if (!mirror) throw new Error("no valid mirror");
    const lister = listerFactory({ allowedFileRoots: [], sftpPool: () => pool })(mirror);
    const listing = await lister.list(AbortSignal.timeout(10_000));
    expect(listing.entries.map((e) => e.path)).toEqual([
      "daily/2026/b.csv",
      "daily/2026/b.csv.part",
      "daily/a.csv",
    ]);
    expect(lister.description).toBe(`sftp://${sshd.username}@[127.0.0.1]:${sshd.port}${root}`);
  });

  it("names the source when the folder does not exist", async () => {
    const lister = new SftpLister(endpoint(), "/no/such/folder", pool);
    await expect(lister.list(AbortSignal.timeout(10_000))).rejects.toThrow(/sftp:\/\/.*\/no\/such\/folder: /);
  });
});
