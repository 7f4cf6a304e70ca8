import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quickXorHashOf } from "../../../src/core/shared/quickXorHash.js";
import { DEFAULT_DRIVE_IDS } from "../../../src/emulator/index.js";
import { createSession, putFragment, startTestEmulator, type TestEmulator } from "../../support/emulator.js";

const KIB320 = 327_680;
const ops = DEFAULT_DRIVE_IDS.opsDocuments;

interface UploadError {
  error: {
    code: string;
    message: string;
    innererror?: { code?: string; "request-id"?: string };
    innerError?: unknown;
  };
}

/** A raw PUT, for headers fetch will not send (a lying Content-Length, chunked bodies). */
function rawPut(
  url: string,
  headers: Record<string, string>,
  body: Buffer,
  chunked = false,
): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "PUT", headers, signal: AbortSignal.timeout(10_000) }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString(),
          headers: res.headers,
        }),
      );
    });
    req.on("error", reject);
    if (chunked) req.write(body);
    req.end(chunked ? undefined : body);
  });
}

describe("emulator fragment rules (docs/graph-protocol.md Fragment PUT)", () => {
  let emu: TestEmulator;

  beforeAll(async () => {
    // lenient: these tests pin the fragment rules alone, with folders created on the fly.
    emu = await startTestEmulator({ profile: "lenient" });
  });
  afterAll(async () => {
    await emu.close();
  });

  it("answers 416 invalidRange / fragmentOverlap with lower-case innererror on the upload host", async () => {
    const url = await createSession(emu, ops, "/overlap.bin");
    expect((await putFragment(url, Buffer.alloc(KIB320), 0, KIB320 * 3)).status).toBe(202);
    const again = await putFragment(url, Buffer.alloc(KIB320), 0, KIB320 * 3);
    expect(again.status).toBe(416);
    const requestId = again.headers.get("request-id");
    const body = (await again.json()) as UploadError;
    expect(body.error.code).toBe("invalidRange");
    expect(body.error.innererror?.code).toBe("fragmentOverlap");
    expect(body.error.innererror?.["request-id"]).toBe(requestId);
    expect(body.error.innerError).toBeUndefined();
  });

  it("answers 416 fragmentOutOfOrder on a gap", async () => {
    const url = await createSession(emu, ops, "/gap.bin");
    const res = await putFragment(url, Buffer.alloc(KIB320), KIB320, KIB320 * 3);
    expect(res.status).toBe(416);
    expect(((await res.json()) as UploadError).error.innererror?.code).toBe("fragmentOutOfOrder");
  });

  it("requires non-final fragments to be multiples of 320 KiB", async () => {
    const url = await createSession(emu, ops, "/multiple.bin");
    const res = await putFragment(url, Buffer.alloc(100_000), 0, 500_000);
    expect(res.status).toBe(400);
    const body = (await res.json()) as UploadError;
    expect(body.error.code).toBe("invalidRequest");
    expect(body.error.message).toContain("327680");
    // The final fragment may be any size.
    const last = await putFragment(url, Buffer.alloc(500_000), 0, 500_000);
    expect(last.status).toBe(201);
  });

  it("requires the same total on every fragment", async () => {
    const url = await createSession(emu, ops, "/total.bin");
    await putFragment(url, Buffer.alloc(KIB320), 0, KIB320 * 2);
    const res = await putFragment(url, Buffer.alloc(KIB320), KIB320, KIB320 * 3);
    expect(res.status).toBe(400);
    expect(((await res.json()) as UploadError).error.message).toContain("same on every fragment");
  });

  it("rejects malformed Content-Range headers", async () => {
    const url = await createSession(emu, ops, "/range.bin");
    for (const range of ["bytes 0-9/*", "bytes=0-9/10", "bytes 5-4/10", "bytes 0-10/10", "0-9/10"]) {
      const res = await fetch(url, {
        method: "PUT",
        body: Buffer.alloc(10),
        headers: { "content-range": range },
      });
      expect(res.status, range).toBe(400);
      await res.body?.cancel();
    }
    const missing = await fetch(url, { method: "PUT", body: Buffer.alloc(10) });
    expect(missing.status).toBe(400);
  });

  it("requires Content-Length to equal the Content-Range length", async () => {
    const url = await createSession(emu, ops, "/length.bin");
    const res = await rawPut(
      url,
      { "content-range": "bytes 0-19/20", "content-length": "10" },
      Buffer.alloc(10),
    );
    expect(res.status).toBe(400);
    expect(res.body).toContain("Content-Length");
    expect(res.headers["request-id"]).toBeTruthy();
  });

  it("rejects chunked transfer encoding (SharePoint does)", async () => {
    const url = await createSession(emu, ops, "/chunked.bin");
    const res = await rawPut(
      url,
      { "content-range": "bytes 0-9/10", "transfer-encoding": "chunked" },
      Buffer.alloc(10),
      true,
    );
    expect(res.status).toBe(400);
    expect(res.body).toContain("chunked");
  });

  it("rejects fragments of 60 MiB or more with 413", async () => {
    const url = await createSession(emu, ops, "/huge.bin");
    const size = 60 * 1024 * 1024;
    const res = await putFragment(url, Buffer.alloc(size), 0, size * 2);
    expect(res.status).toBe(413);
    await res.body?.cancel();
    const ok = await putFragment(url, Buffer.alloc(size - KIB320), 0, size * 2);
    expect(ok.status).toBe(202);
    await ok.body?.cancel();
  });

  it("refuses a second fragment while one is still arriving (416)", async () => {
    const url = await createSession(emu, ops, "/concurrent.bin");
    const total = KIB320 * 2;
    const slow = request(url, {
      method: "PUT",
      headers: { "content-range": `bytes 0-${KIB320 - 1}/${total}`, "content-length": String(KIB320) },
      signal: AbortSignal.timeout(10_000),
    });
    const answered = new Promise<number>((resolve, reject) => {
      slow.on("response", (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      slow.on("error", reject);
    });
    slow.write(Buffer.alloc(1000));
    while (!emu.inspect.sessions().some((s) => s.receiving === `0-${KIB320 - 1}`)) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    const same = await putFragment(url, Buffer.alloc(KIB320), 0, total);
    expect(same.status).toBe(416);
    expect(((await same.json()) as UploadError).error.innererror?.code).toBe("fragmentOverlap");
    const next = await putFragment(url, Buffer.alloc(KIB320), KIB320, total);
    expect(next.status).toBe(416);
    expect(((await next.json()) as UploadError).error.innererror?.code).toBe("fragmentOutOfOrder");
    slow.end(Buffer.alloc(KIB320 - 1000));
    expect(await answered).toBe(202);
  });

  it("can accept out-of-order fragments and then lists every missing range", async () => {
    // lenient: the folder of the upload is created on the fly.
    const loose = await startTestEmulator({ profile: "lenient", limits: { allowOutOfOrderFragments: true } });
    try {
      const url = await createSession(loose, ops, "/sparse.bin");
      const total = KIB320 * 4 + 10;
      expect((await putFragment(url, Buffer.alloc(KIB320, 2), KIB320, total)).status).toBe(202);
      const status = (await (await fetch(url)).json()) as { nextExpectedRanges: string[] };
      expect(status.nextExpectedRanges).toEqual([`0-${KIB320 - 1}`, `${2 * KIB320}-`]);
      await putFragment(url, Buffer.alloc(KIB320, 4), 3 * KIB320, total);
      const two = (await (await fetch(url)).json()) as { nextExpectedRanges: string[] };
      expect(two.nextExpectedRanges).toEqual([
        `0-${KIB320 - 1}`,
        `${2 * KIB320}-${3 * KIB320 - 1}`,
        `${4 * KIB320}-`,
      ]);
      await putFragment(url, Buffer.alloc(10, 5), 4 * KIB320, total);
      await putFragment(url, Buffer.alloc(KIB320, 1), 0, total);
      const done = await putFragment(url, Buffer.alloc(KIB320, 3), 2 * KIB320, total);
      expect(done.status).toBe(201);
      const stored = loose.inspect.readItem(ops, "/sparse.bin");
      expect(stored?.length).toBe(total);
      expect([
        stored?.[0],
        stored?.[KIB320],
        stored?.[2 * KIB320],
        stored?.[3 * KIB320],
        stored?.[total - 1],
      ]).toEqual([1, 2, 3, 4, 5]);
      const item = (await done.json()) as { file: { hashes: { quickXorHash: string } } };
      expect(item.file.hashes.quickXorHash).toBe(quickXorHashOf(stored ?? Buffer.alloc(0)));
    } finally {
      await loose.close();
    }
  });

  it("can answer the closed range style `n-{total-1}`", async () => {
    const closed = await startTestEmulator({ limits: { nextExpectedRangesStyle: "closed" } });
    try {
      const url = await createSession(closed, ops, "/closed.bin");
      const res = await putFragment(url, Buffer.alloc(KIB320), 0, KIB320 * 2);
      expect(((await res.json()) as { nextExpectedRanges: string[] }).nextExpectedRanges).toEqual([
        `${KIB320}-${2 * KIB320 - 1}`,
      ]);
    } finally {
      await closed.close();
    }
  });
});
