import { appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { QuickXorHash } from "../../../src/core/shared/quickXorHash.js";
import { ConfigError } from "../../../src/core/shared/validationError.js";
import { DEFAULT_DRIVE_IDS, DEFAULT_SEED, type EmulatorSeed } from "../../../src/emulator/index.js";
import {
  createSession,
  encodePath,
  patternBytes,
  putFragment,
  startTestEmulator,
  type TestEmulator,
} from "../../support/emulator.js";

const ops = DEFAULT_DRIVE_IDS.opsDocuments;
const FRAGMENT = 327_680;

interface Item {
  id: string;
  name: string;
  size: number;
  eTag: string;
  cTag: string;
  createdDateTime: string;
  lastModifiedDateTime: string;
  parentReference: { id: string; path: string };
  fileSystemInfo: { createdDateTime: string; lastModifiedDateTime: string };
  file?: { hashes: { quickXorHash: string } };
}

const hashOf = (bytes: Buffer) => new QuickXorHash().update(bytes).digest();

async function itemAt(emu: TestEmulator, drivePath: string): Promise<Item> {
  const res = await emu.graph(`/drives/${ops}/root:${encodePath(drivePath)}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Item;
}

async function download(emu: TestEmulator, drivePath: string): Promise<Buffer> {
  const res = await emu.graph(`/drives/${ops}/root:${encodePath(drivePath)}:/content`);
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

async function status(
  uploadUrl: string,
): Promise<{ nextExpectedRanges: string[]; expirationDateTime: string }> {
  const res = await fetch(uploadUrl, { signal: AbortSignal.timeout(10_000) });
  expect(res.status).toBe(200);
  return (await res.json()) as { nextExpectedRanges: string[]; expirationDateTime: string };
}

describe("emulator durable mode (dataDir survives a restart)", () => {
  let dataDir: string;
  const running: TestEmulator[] = [];
  /** Upload URLs name the upload host's port: restarts reuse it, as the CLI's fixed default ports do. */
  let uploadPort = 0;
  const start = async (seed?: EmulatorSeed) => {
    // lenient: these tests compare state before and after a restart, with hashes shown at once and parents made.
    const emu = await startTestEmulator({
      profile: "lenient",
      dataDir,
      uploadPort,
      ...(seed ? { seed } : {}),
    });
    uploadPort = Number(new URL(emu.uploadOrigin).port);
    running.push(emu);
    return emu;
  };

  beforeEach(async () => {
    uploadPort = 0;
    dataDir = await mkdtemp(path.join(tmpdir(), "graph-mirror-emulator-durable-"));
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((emu) => emu.close()));
    await rm(dataDir, { recursive: true, force: true });
  });

  it("keeps the files that hold upload secrets readable by the owner only", async () => {
    const first = await start();
    const url = await createSession(first, ops, "/docs/secret.bin");
    await first.close();
    await start();
    const tempauth = new URL(url).searchParams.get("tempauth") ?? "";
    expect(tempauth).not.toBe("");
    const files = (await readdir(dataDir)).filter((n) => n === "state.json" || n.startsWith("journal-"));
    expect(files).toContain("state.json");
    let holders = 0;
    for (const name of files) {
      const file = path.join(dataDir, name);
      expect({ name, mode: (await stat(file)).mode & 0o777 }).toEqual({ name, mode: 0o600 });
      if ((await readFile(file, "utf8")).includes(tempauth)) holders++;
    }
    expect(holders).toBeGreaterThan(0);
  });

  it("keeps files, folders, their metadata and the quota use", async () => {
    const first = await start();
    const small = Buffer.from("hello, durable world");
    const put = await first.graph(`/drives/${ops}/root:/docs/small.txt:/content`, {
      method: "PUT",
      body: small,
    });
    expect(put.status).toBe(201);
    const big = patternBytes(FRAGMENT * 3 + 1234, 7);
    const fsInfo = { createdDateTime: "2020-01-02T03:04:05Z", lastModifiedDateTime: "2021-02-03T04:05:06Z" };
    const url = await createSession(first, ops, "/docs/big.bin", { fileSystemInfo: fsInfo });
    let last: Response | undefined;
    for (let offset = 0; offset < big.length; offset += FRAGMENT) {
      last = await putFragment(url, big.subarray(offset, offset + FRAGMENT), offset, big.length);
    }
    expect(last?.status).toBe(201);
    const folder = await first.graph(`/drives/${ops}/root/children`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "empty", folder: {} }),
    });
    expect(folder.status).toBe(201);
    const before = {
      small: await itemAt(first, "/docs/small.txt"),
      big: await itemAt(first, "/docs/big.bin"),
      docs: await itemAt(first, "/docs"),
      root: await itemAt(first, "/"),
    };
    const quotaBefore = ((await (await first.graph(`/drives/${ops}`)).json()) as { quota: { used: number } })
      .quota;
    await first.close();

    const second = await start();
    expect(await itemAt(second, "/docs/small.txt")).toEqual(before.small);
    expect(await itemAt(second, "/docs/big.bin")).toEqual(before.big);
    expect(await itemAt(second, "/docs")).toEqual(before.docs);
    expect(await itemAt(second, "/")).toEqual(before.root);
    expect(before.big.file?.hashes.quickXorHash).toBe(hashOf(big));
    expect(before.big.fileSystemInfo).toEqual(fsInfo);
    expect(await download(second, "/docs/small.txt")).toEqual(small);
    expect((await download(second, "/docs/big.bin")).equals(big)).toBe(true);
    const children = await second.graph(`/drives/${ops}/root:/docs:/children`);
    const names = ((await children.json()) as { value: Item[] }).value.map((i) => i.name);
    expect(names).toEqual(["big.bin", "small.txt"]);
    const quota = ((await (await second.graph(`/drives/${ops}`)).json()) as { quota: { used: number } })
      .quota;
    expect(quota).toEqual(quotaBefore);
    expect(quota.used).toBe(small.length + big.length);
    // The inspection and control APIs see the loaded state too.
    expect(second.inspect.readItem(ops, "/docs/small.txt")).toEqual(small);
    const control = await fetch(
      `${second.graphBaseUrl.replace(/\/v1\.0$/, "")}/_emulator/items?driveId=${ops}`,
      { signal: AbortSignal.timeout(10_000) },
    );
    const paths = ((await control.json()) as { path: string }[]).map((i) => i.path).sort();
    expect(paths).toEqual(["/docs", "/docs/big.bin", "/docs/small.txt", "/empty"]);
    // Ids are never handed out twice across runs.
    const again = await second.graph(`/drives/${ops}/root:/docs/new.txt:/content`, {
      method: "PUT",
      body: "x",
    });
    const fresh = (await again.json()) as Item;
    expect(Object.values(before).map((i) => i.id)).not.toContain(fresh.id);
  });

  it("resumes an upload session opened before the restart", async () => {
    const first = await start();
    const bytes = patternBytes(FRAGMENT * 3 + 99, 11);
    const url = await createSession(first, ops, "/resume/file.bin");
    for (const offset of [0, FRAGMENT]) {
      const res = await putFragment(url, bytes.subarray(offset, offset + FRAGMENT), offset, bytes.length);
      expect(res.status).toBe(202);
    }
    const statusBefore = await status(url);
    expect(statusBefore.nextExpectedRanges).toEqual([`${2 * FRAGMENT}-`]);
    await first.close();

    const second = await start();
    expect(await status(url)).toEqual(statusBefore);
    expect(second.inspect.sessions()).toMatchObject([
      { path: "/resume/file.bin", receivedBytes: 2 * FRAGMENT },
    ]);
    const third = await putFragment(
      url,
      bytes.subarray(2 * FRAGMENT, 3 * FRAGMENT),
      2 * FRAGMENT,
      bytes.length,
    );
    expect(third.status).toBe(202);
    await second.close();

    const last = await start();
    expect((await status(url)).nextExpectedRanges).toEqual([`${3 * FRAGMENT}-`]);
    const done = await putFragment(url, bytes.subarray(3 * FRAGMENT), 3 * FRAGMENT, bytes.length);
    expect(done.status).toBe(201);
    const item = (await done.json()) as Item;
    expect(item.size).toBe(bytes.length);
    expect(item.file?.hashes.quickXorHash).toBe(hashOf(bytes));
    expect(last.inspect.readItem(ops, "/resume/file.bin")?.equals(bytes)).toBe(true);
    expect(last.inspect.sessions()).toEqual([]);
    // A finished session stays finished after another restart.
    await last.close();
    await start();
    expect((await fetch(url, { signal: AbortSignal.timeout(10_000) })).status).toBe(404);
  });

  it("keeps a deferCommit session's state and its expiry clocks", async () => {
    const first = await start();
    const bytes = patternBytes(1000, 3);
    const url = await createSession(first, ops, "/deferred.bin", {}, { deferCommit: true });
    expect((await putFragment(url, bytes, 0, bytes.length)).status).toBe(202);
    const [summary] = first.inspect.sessions();
    expect(summary?.awaitingCommit).toBe(true);
    await first.close();

    const second = await start();
    expect(second.inspect.sessions()).toEqual([summary]);
    const commit = await fetch(url, { method: "POST", signal: AbortSignal.timeout(10_000) });
    expect(commit.status).toBe(201);
    expect(((await commit.json()) as Item).file?.hashes.quickXorHash).toBe(hashOf(bytes));

    // The sliding expiry is an instant: after the restart the session still expires when it was due to.
    const expiring = await createSession(second, ops, "/expiring.bin");
    await second.close();
    const third = await start();
    third.clock.advance(15 * 60_000);
    expect((await fetch(expiring, { signal: AbortSignal.timeout(10_000) })).status).toBe(404);
  });

  it("removes blobs nothing refers to at start, and the bytes of replaced or deleted files", async () => {
    const first = await start();
    await first.graph(`/drives/${ops}/root:/a.txt:/content`, { method: "PUT", body: "one" });
    await first.graph(`/drives/${ops}/root:/a.txt:/content`, { method: "PUT", body: "two" });
    await first.graph(`/drives/${ops}/root:/b.txt:/content`, { method: "PUT", body: "bee" });
    expect((await first.graph(`/drives/${ops}/root:/b.txt`, { method: "DELETE" })).status).toBe(204);
    await first.close();
    const blobs = path.join(dataDir, "blobs");
    expect(await readdir(blobs)).toHaveLength(1);
    const orphan = "0b0b0b0b-0000-4000-8000-000000000000.bin";
    await writeFile(path.join(blobs, orphan), "left by a crash");

    const second = await start();
    expect(await readdir(blobs)).toHaveLength(1);
    expect(await readdir(blobs)).not.toContain(orphan);
    expect(second.inspect.readItem(ops, "/a.txt")?.toString()).toBe("two");
  });

  it("adds new seed drives, keeps the data of drives the seed no longer lists", async () => {
    const first = await start();
    await first.graph(`/drives/${ops}/root:/kept.txt:/content`, { method: "PUT", body: "kept" });
    await first.close();

    const tenant = DEFAULT_SEED.tenants[0];
    if (!tenant) throw new Error("DEFAULT_SEED has a tenant");
    const other: EmulatorSeed = {
      tenants: [
        {
          hostname: "fabrikam.sharepoint.com",
          sites: [{ path: "/", displayName: "Fabrikam", libraries: [{ name: "Documents" }] }],
          tokens: ["fabrikam-token"],
        },
      ],
    };
    const second = await start(other);
    const fabrikamDrive = second.drives[0]?.id ?? "";
    second.inspect.putItem(fabrikamDrive, "/f.txt", Buffer.from("fabrikam"));
    await second.close();

    const third = await start({ tenants: [tenant, ...other.tenants] });
    expect(third.inspect.readItem(ops, "/kept.txt")?.toString()).toBe("kept");
    expect(third.inspect.readItem(fabrikamDrive, "/f.txt")?.toString()).toBe("fabrikam");
  });

  it("ignores a journal line cut short by a crash, and names a damaged snapshot", async () => {
    const first = await start();
    await first.graph(`/drives/${ops}/root:/before.txt:/content`, { method: "PUT", body: "ok" });
    const journals = (await readdir(dataDir)).filter((n) => n.startsWith("journal-"));
    expect(journals).toHaveLength(1);
    // Simulate a SIGKILL mid-append (no close): a half-written last line.
    await appendFile(path.join(dataDir, journals[0] ?? ""), '{"items":[{"drive":"b!x","id":');
    await first.close();
    await appendFile(path.join(dataDir, journals[0] ?? ""), '{"items":[{"drive":"b!x","id":');
    const second = await start();
    expect(second.inspect.readItem(ops, "/before.txt")?.toString()).toBe("ok");
    await second.close();
    running.splice(0);

    const snapshot = path.join(dataDir, "state.json");
    expect(JSON.parse(await readFile(snapshot, "utf8"))).toMatchObject({ format: "graph-mirror-emulator/1" });
    await writeFile(snapshot, "{ not json");
    const error = await startTestEmulator({ dataDir }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(`${snapshot}: must contain valid JSON`);
  });

  it("refuses a data directory another running emulator owns", async () => {
    await start();
    const error = await startTestEmulator({ dataDir }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/dataDir: is in use by another emulator \(pid \d+/);
  });
});
