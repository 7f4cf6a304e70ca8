import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { quickXorHashOf } from "../../../src/core/shared/quickXorHash.js";
import { DEFAULT_DRIVE_IDS, DEFAULT_SITE_IDS, DEFAULT_USERS } from "../../../src/emulator/index.js";
import {
  createSession,
  patternBytes,
  putFragment,
  startTestEmulator,
  startTinyQuotaEmulator,
  type TestEmulator,
  TINY_TOKEN,
} from "../../support/emulator.js";

const KIB320 = 327_680;
/** docs/graph-protocol.md "Integrity": input (base64) -> quickXorHash. */
const VECTORS = [
  ["Sg==", "SgAAAAAAAAAAAAAAAQAAAAAAAAA="],
  ["tbQ=", "taAFAAAAAAAAAAAAAgAAAAAAAAA="],
  ["2fuxhBJXtpWFe8dOfdGeHw==", "O9tHLAghgSvYohKFyMMxnNCHaHg="],
  [Buffer.from("hello world").toString("base64"), "aCgDG9jwBhDc4Q1yawMZAAAAAAA="],
] as const;
const ops = DEFAULT_DRIVE_IDS.opsDocuments;

interface ItemJson {
  id: string;
  name: string;
  size: number;
  eTag: string;
  cTag: string;
  parentReference: { driveId: string; id: string; path: string };
  file: { hashes: { quickXorHash: string } };
  fileSystemInfo: { createdDateTime: string; lastModifiedDateTime: string };
}

async function errorOf(res: Response): Promise<{ code: string; inner?: string }> {
  const body = (await res.json()) as {
    error: { code: string; innerError?: { code?: string }; innererror?: { code?: string } };
  };
  return { code: body.error.code, inner: body.error.innerError?.code ?? body.error.innererror?.code };
}

async function uploadAll(url: string, bytes: Buffer, fragment: number): Promise<Response> {
  let last: Response | undefined;
  for (let offset = 0; offset < bytes.length; offset += fragment) {
    last = await putFragment(url, bytes.subarray(offset, offset + fragment), offset, bytes.length);
    if (offset + fragment < bytes.length) {
      expect(last.status).toBe(202);
      await last.body?.cancel();
    }
  }
  if (!last) throw new Error("nothing uploaded");
  return last;
}

describe("emulator upload sessions (docs/graph-protocol.md Upload sessions)", () => {
  let emu: TestEmulator;

  beforeEach(async () => {
    // lenient: these tests pin the documented protocol, with folders created on the fly and hashes shown at once.
    emu = await startTestEmulator({ profile: "lenient" });
  });
  afterEach(async () => {
    await emu.close();
  });

  it("creates a session: 200 with an upload URL on the upload host, expiry and nextExpectedRanges", async () => {
    const res = await emu.graph(`/drives/${ops}/root:/a/b.bin:/createUploadSession`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ item: { "@microsoft.graph.conflictBehavior": "replace", name: "b.bin" } }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      uploadUrl: string;
      expirationDateTime: string;
      nextExpectedRanges: string[];
    };
    expect(body.uploadUrl.startsWith(`${emu.uploadOrigin}/up/`)).toBe(true);
    expect(new URL(body.uploadUrl).searchParams.get("tempauth")).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(Date.parse(body.expirationDateTime)).toBe(emu.clock.now() + 15 * 60_000);
    expect(body.nextExpectedRanges).toEqual(["0-"]);
    // Summaries never carry the secret.
    const summaries = JSON.stringify(emu.inspect.sessions());
    expect(summaries).not.toContain(new URL(body.uploadUrl).searchParams.get("tempauth"));
  });

  it("accepts every createUploadSession path form", async () => {
    const folder = await emu.graph(`/drives/${ops}/root:/forms-test/x.txt:/content`, {
      method: "PUT",
      body: "x",
    });
    const file = (await folder.json()) as ItemJson;
    const forms = [
      `/drives/${ops}/root:/one.bin:/createUploadSession`,
      `/drives/${ops}/items/${file.parentReference.id}:/two.bin:/createUploadSession`,
      `/drives/${ops}/items/${file.id}/createUploadSession`,
      `/sites/${DEFAULT_SITE_IDS.ops}/drive/root:/three.bin:/createUploadSession`,
      `/sites/${DEFAULT_SITE_IDS.ops}/drives/${DEFAULT_DRIVE_IDS.opsReports}/root:/four.bin:/createUploadSession`,
      `/users/${DEFAULT_USERS.adele.userPrincipalName}/drive/root:/five.bin:/createUploadSession`,
    ];
    for (const form of forms) {
      const res = await emu.graph(form, {
        method: "POST",
        body: JSON.stringify({ item: { "@microsoft.graph.conflictBehavior": "replace" } }),
      });
      expect(res.status, form).toBe(200);
      const { uploadUrl } = (await res.json()) as { uploadUrl: string };
      const done = await putFragment(uploadUrl, Buffer.from("payload"), 0, 7);
      expect([200, 201], form).toContain(done.status);
      expect(((await done.json()) as ItemJson).size).toBe(7);
    }
    expect(emu.inspect.readItem(ops, "/forms-test/x.txt")?.toString()).toBe("payload");
    expect(emu.inspect.readItem(ops, "/forms-test/two.bin")?.toString()).toBe("payload");
    expect(emu.inspect.readItem(DEFAULT_DRIVE_IDS.opsReports, "/four.bin")?.toString()).toBe("payload");
    expect(emu.inspect.readItem(DEFAULT_DRIVE_IDS.adeleOneDrive, "/five.bin")?.toString()).toBe("payload");
  });

  it("uploads in many fragments: 202 with nextExpectedRanges, then 201 with a complete driveItem", async () => {
    const bytes = patternBytes(3 * KIB320 + 12_345, 7);
    const fsInfo = { createdDateTime: "2020-01-02T03:04:05Z", lastModifiedDateTime: "2021-02-03T04:05:06Z" };
    const url = await createSession(emu, ops, "/deep/er/file.bin", {
      "@microsoft.graph.conflictBehavior": "fail",
      name: "file.bin",
      fileSystemInfo: fsInfo,
    });
    const first = await putFragment(url, bytes.subarray(0, KIB320), 0, bytes.length);
    expect(first.status).toBe(202);
    const firstBody = (await first.json()) as { nextExpectedRanges: string[]; expirationDateTime: string };
    expect(firstBody.nextExpectedRanges).toEqual([`${KIB320}-`]);
    const second = await putFragment(url, bytes.subarray(KIB320, 3 * KIB320), KIB320, bytes.length);
    expect(((await second.json()) as { nextExpectedRanges: string[] }).nextExpectedRanges).toEqual([
      `${3 * KIB320}-`,
    ]);
    const last = await putFragment(url, bytes.subarray(3 * KIB320), 3 * KIB320, bytes.length);
    expect(last.status).toBe(201);
    const item = (await last.json()) as ItemJson;
    expect(item.name).toBe("file.bin");
    expect(item.size).toBe(bytes.length);
    expect(item.file.hashes.quickXorHash).toBe(quickXorHashOf(bytes));
    expect(item.eTag).toMatch(/^"\{[0-9A-F-]{36}\},\d+"$/);
    expect(item.cTag).toMatch(/^"c:\{[0-9A-F-]{36}\},\d+"$/);
    expect(item.parentReference.driveId).toBe(ops);
    expect(item.parentReference.path).toBe(`/drives/${ops}/root:/deep/er`);
    expect(item.fileSystemInfo).toEqual(fsInfo);
    expect(emu.inspect.readItem(ops, "/deep/er/file.bin")?.equals(bytes)).toBe(true);
    // Completed sessions are gone.
    const after = await fetch(url);
    expect(after.status).toBe(404);
    expect(await errorOf(after)).toEqual({ code: "itemNotFound", inner: undefined });
  });

  it("answers 200 when the session replaces an existing file", async () => {
    emu.inspect.putItem(ops, "/r.bin", Buffer.from("old"));
    const url = await createSession(emu, ops, "/r.bin");
    const res = await putFragment(url, Buffer.from("new!"), 0, 4);
    expect(res.status).toBe(200);
    expect(emu.inspect.readItem(ops, "/r.bin")?.toString()).toBe("new!");
  });

  it("enforces conflictBehavior fail at creation and at completion, and rename picks 'name 1.ext'", async () => {
    emu.inspect.putItem(ops, "/c.txt", Buffer.from("x"));
    const early = await emu.graph(`/drives/${ops}/root:/c.txt:/createUploadSession`, {
      method: "POST",
      body: JSON.stringify({ item: { "@microsoft.graph.conflictBehavior": "fail" } }),
    });
    expect(early.status).toBe(409);
    expect((await errorOf(early)).code).toBe("nameAlreadyExists");

    const url = await createSession(emu, ops, "/late.txt", { "@microsoft.graph.conflictBehavior": "fail" });
    emu.inspect.putItem(ops, "/LATE.txt", Buffer.from("someone else"));
    const late = await putFragment(url, Buffer.from("mine"), 0, 4);
    expect(late.status).toBe(409);
    expect((await errorOf(late)).code).toBe("nameAlreadyExists");
    expect(emu.inspect.readItem(ops, "/late.txt")?.toString()).toBe("someone else");

    const renameUrl = await createSession(emu, ops, "/c.txt", {
      "@microsoft.graph.conflictBehavior": "rename",
    });
    const renamed = await putFragment(renameUrl, Buffer.from("two"), 0, 3);
    expect(renamed.status).toBe(201);
    expect(((await renamed.json()) as ItemJson).name).toBe("c 1.txt");
  });

  it("defaults to conflictBehavior fail when the body names none (the documented default)", async () => {
    emu.inspect.putItem(ops, "/d.txt", Buffer.from("x"));
    const res = await emu.graph(`/drives/${ops}/root:/d.txt:/createUploadSession`, { method: "POST" });
    expect(res.status).toBe(409);
  });

  it("rejects an item name that does not match the path leaf", async () => {
    const res = await emu.graph(`/drives/${ops}/root:/leaf.txt:/createUploadSession`, {
      method: "POST",
      body: JSON.stringify({ item: { name: "other.txt" } }),
    });
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.code).toBe("invalidRequest");
    expect(error.inner).toBe("nameMismatch");
  });

  it("rejects malformed session bodies naming the field", async () => {
    const res = await emu.graph(`/drives/${ops}/root:/f.txt:/createUploadSession`, {
      method: "POST",
      body: JSON.stringify({ item: { fileSize: "big" }, deferCommit: "yes" }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(/item\.fileSize|deferCommit/);
  });

  it("answers 507 quotaLimitReached when fileSize exceeds the remaining quota", async () => {
    const { emu: small, driveId } = await startTinyQuotaEmulator(1000);
    try {
      const res = await small.graph(`/drives/${driveId}/root:/big.bin:/createUploadSession`, {
        method: "POST",
        token: TINY_TOKEN,
        body: JSON.stringify({ item: { fileSize: 1001 } }),
      });
      expect(res.status).toBe(507);
      expect((await errorOf(res)).code).toBe("quotaLimitReached");
      const fits = await small.graph(`/drives/${driveId}/root:/ok.bin:/createUploadSession`, {
        method: "POST",
        token: TINY_TOKEN,
        body: JSON.stringify({ item: { fileSize: 1000 } }),
      });
      expect(fits.status).toBe(200);
      const { uploadUrl } = (await fits.json()) as { uploadUrl: string };
      // The declared size binds the fragments' total.
      const wrongTotal = await putFragment(uploadUrl, Buffer.alloc(10), 0, 10);
      expect(wrongTotal.status).toBe(400);
      // Without a declared size, the first fragment's total is checked against the quota.
      const undeclared = await small.graph(`/drives/${driveId}/root:/later.bin:/createUploadSession`, {
        method: "POST",
        token: TINY_TOKEN,
      });
      const later = ((await undeclared.json()) as { uploadUrl: string }).uploadUrl;
      const over = await putFragment(later, Buffer.alloc(1001), 0, 1001);
      expect(over.status).toBe(507);
      expect((await errorOf(over)).code).toBe("quotaLimitReached");
    } finally {
      await small.close();
    }
  });

  it("defers the commit: last fragment 202, POST uploadUrl commits with 201", async () => {
    const url = await createSession(emu, ops, "/deferred.bin", {}, { deferCommit: true });
    const last = await putFragment(url, Buffer.from("abc"), 0, 3);
    expect(last.status).toBe(202);
    expect(((await last.json()) as { nextExpectedRanges: string[] }).nextExpectedRanges).toEqual([]);
    expect(emu.inspect.item(ops, "/deferred.bin")).toBeUndefined();
    const commit = await fetch(url, { method: "POST" });
    expect(commit.status).toBe(201);
    expect(((await commit.json()) as ItemJson).size).toBe(3);
    expect((await fetch(url)).status).toBe(404);
  });

  it("refuses to commit a session that is not deferred or is missing bytes", async () => {
    const deferred = await createSession(emu, ops, "/partial.bin", {}, { deferCommit: true });
    await putFragment(deferred, Buffer.alloc(KIB320), 0, KIB320 * 2);
    expect((await fetch(deferred, { method: "POST" })).status).toBe(400);
    const plain = await createSession(emu, ops, "/plain.bin");
    expect((await fetch(plain, { method: "POST" })).status).toBe(400);
  });

  it("reports every missing range on GET and cancels with DELETE (204, then 404)", async () => {
    const url = await createSession(emu, ops, "/status.bin");
    const status = await fetch(url);
    expect(status.status).toBe(200);
    expect(((await status.json()) as { nextExpectedRanges: string[] }).nextExpectedRanges).toEqual(["0-"]);
    await putFragment(url, Buffer.alloc(KIB320), 0, KIB320 * 3);
    const after = (await (await fetch(url)).json()) as { nextExpectedRanges: string[] };
    expect(after.nextExpectedRanges).toEqual([`${KIB320}-`]);
    const cancel = await fetch(url, { method: "DELETE" });
    expect(cancel.status).toBe(204);
    expect((await fetch(url)).status).toBe(404);
    expect((await putFragment(url, Buffer.alloc(KIB320), KIB320, KIB320 * 3)).status).toBe(404);
  });

  it("slides expirationDateTime with each fragment and forgets expired sessions (404)", async () => {
    const url = await createSession(emu, ops, "/slide.bin");
    const total = KIB320 * 3;
    emu.clock.advance(10 * 60_000);
    const first = await putFragment(url, Buffer.alloc(KIB320), 0, total);
    const { expirationDateTime } = (await first.json()) as { expirationDateTime: string };
    expect(Date.parse(expirationDateTime)).toBe(emu.clock.now() + 15 * 60_000);
    emu.clock.advance(10 * 60_000); // 20 min after creation, 10 after the last fragment: still alive
    expect((await putFragment(url, Buffer.alloc(KIB320), KIB320, total)).status).toBe(202);
    emu.clock.advance(15 * 60_000);
    const expired = await putFragment(url, Buffer.alloc(KIB320), 2 * KIB320, total);
    expect(expired.status).toBe(404);
    expect((await errorOf(expired)).code).toBe("itemNotFound");
  });

  it("kills the upload URL 24 h after creation (401) even while the session keeps sliding", async () => {
    const hourly = await startTestEmulator({ limits: { sessionSlidingTtlMs: 61 * 60_000 } });
    try {
      const url = await createSession(hourly, ops, "/day.bin");
      const total = KIB320 * 100;
      let offset = 0;
      for (let hour = 0; hour < 23; hour++) {
        hourly.clock.advance(60 * 60_000);
        const res = await putFragment(url, Buffer.alloc(KIB320), offset, total);
        expect(res.status).toBe(202);
        await res.body?.cancel();
        offset += KIB320;
      }
      hourly.clock.advance(60 * 60_000);
      const dead = await putFragment(url, Buffer.alloc(KIB320), offset, total);
      expect(dead.status).toBe(401);
      expect((await errorOf(dead)).code).toBe("unauthenticated");
      expect((await fetch(url)).status).toBe(401);
    } finally {
      await hourly.close();
    }
  });

  it("can answer 403 instead of 401 once the upload URL has died", async () => {
    const forbidding = await startTestEmulator({ limits: { expiredUploadUrlStatus: 403 } });
    try {
      const url = await createSession(forbidding, ops, "/dead.bin");
      forbidding.clock.advance(24 * 60 * 60_000);
      const res = await fetch(url);
      expect(res.status).toBe(403);
      expect((await errorOf(res)).code).toBe("accessDenied");
    } finally {
      await forbidding.close();
    }
  });

  it("can refuse a second session for a file while one is alive (OneDrive for Business)", async () => {
    const business = await startTestEmulator({ limits: { oneSessionPerFile: true } });
    try {
      const first = await createSession(business, ops, "/Busy.bin");
      const second = await business.graph(`/drives/${ops}/root:/busy.bin:/createUploadSession`, {
        method: "POST",
        body: JSON.stringify({ item: { "@microsoft.graph.conflictBehavior": "replace" } }),
      });
      expect(second.status).toBe(409);
      expect((await errorOf(second)).code).toBe("nameAlreadyExists");
      expect((await fetch(first, { method: "DELETE" })).status).toBe(204);
      expect(await createSession(business, ops, "/busy.bin")).toContain("/up/");
      // Expired sessions no longer block.
      business.clock.advance(15 * 60_000);
      expect(await createSession(business, ops, "/busy.bin")).toContain("/up/");
    } finally {
      await business.close();
    }
    // Off by default: a second session is fine.
    await createSession(emu, ops, "/twice.bin");
    expect(await createSession(emu, ops, "/twice.bin")).toContain("/up/");
  });

  it("frees sessions abandoned for over a day when new sessions are created", async () => {
    await createSession(emu, ops, "/abandoned.bin");
    emu.clock.advance(48 * 60 * 60_000 + 1);
    await createSession(emu, ops, "/fresh.bin");
    expect(emu.inspect.sessions().map((s) => s.path)).toEqual(["/fresh.bin"]);
    expect(emu.inspect.counters().sessionsAbandoned).toBe(1);
  });

  it("replaces an item addressed by id through items/{id}/createUploadSession", async () => {
    const original = emu.inspect.putItem(ops, "/by-id.bin", Buffer.from("v1"));
    const res = await emu.graph(`/drives/${ops}/items/${original.id}/createUploadSession`, {
      method: "POST",
      body: JSON.stringify({ item: { "@microsoft.graph.conflictBehavior": "replace" } }),
    });
    const { uploadUrl } = (await res.json()) as { uploadUrl: string };
    const done = await putFragment(uploadUrl, Buffer.from("v2!"), 0, 3);
    expect(done.status).toBe(200);
    const item = (await done.json()) as ItemJson;
    expect(item.id).toBe(original.id);
    expect(item.eTag).not.toBe(original.eTag);
  });

  it("hashes a 10-fragment upload over the stored bytes", async () => {
    const bytes = patternBytes(10 * KIB320 + 1, 99);
    const url = await createSession(emu, ops, "/ten.bin");
    const res = await uploadAll(url, bytes, KIB320);
    expect(res.status).toBe(201);
    expect(((await res.json()) as ItemJson).file.hashes.quickXorHash).toBe(quickXorHashOf(bytes));
  });

  it("reproduces the docs/graph-protocol.md QuickXorHash test vectors when uploaded one byte per fragment", async () => {
    // A 1-byte fragment multiple lets each byte travel alone, so the hash is assembled across many requests.
    // lenient: the test reads the hash in the commit answer, which the field profile shows only later.
    const byteWise = await startTestEmulator({ profile: "lenient", limits: { fragmentMultipleBytes: 1 } });
    try {
      for (const [input, expected] of VECTORS) {
        const data = Buffer.from(input, "base64");
        const url = await createSession(byteWise, ops, `/vector-${data.length}.bin`);
        const last = await uploadAll(url, data, 1);
        expect(last.status).toBe(201);
        expect(((await last.json()) as ItemJson).file.hashes.quickXorHash).toBe(expected);
      }
    } finally {
      await byteWise.close();
    }
  });

  it("keeps names case-insensitive when a session completes over an existing file", async () => {
    emu.inspect.putItem(ops, "/Case/A.txt", Buffer.from("upper"));
    const url = await createSession(emu, ops, "/case/a.txt");
    const res = await putFragment(url, Buffer.from("lower"), 0, 5);
    expect(res.status).toBe(200);
    expect(emu.inspect.items(ops).filter((i) => i.path.toLowerCase() === "/case/a.txt")).toHaveLength(1);
  });
});
