import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quickXorHashOf } from "../../../src/core/shared/quickXorHash.js";
import { DEFAULT_DRIVE_IDS } from "../../../src/emulator/index.js";
import {
  encodePath,
  patternBytes,
  startTestEmulator,
  startTinyQuotaEmulator,
  type TestEmulator,
  TINY_TOKEN,
} from "../../support/emulator.js";

const ops = DEFAULT_DRIVE_IDS.opsDocuments;

interface ItemJson {
  id: string;
  name: string;
  size: number;
  eTag: string;
  file: { mimeType: string; hashes: { quickXorHash: string } };
}

interface ErrorJson {
  error: { code: string; message: string; innerError: { code?: string } };
}

describe("emulator simple upload (docs/graph-protocol.md Simple upload, Names and paths)", () => {
  let emu: TestEmulator;

  beforeAll(async () => {
    // lenient: these tests compare hashes in the upload answers, which the field profile shows only later.
    emu = await startTestEmulator({ profile: "lenient", limits: { simpleUploadMaxBytes: 64 * 1024 } });
  });
  afterAll(async () => {
    await emu.close();
  });

  const put = (path: string, body: RequestInit["body"], query = "") =>
    emu.graph(`/drives/${ops}/root:${encodePath(path)}:/content${query}`, { method: "PUT", body });

  it("creates (201) then replaces (200) by default, creating missing parent folders", async () => {
    const created = await put("/new/parents/here.txt", "one");
    expect(created.status).toBe(201);
    const first = (await created.json()) as ItemJson;
    expect(first.file.mimeType).toBe("text/plain");
    expect(emu.inspect.items(ops).some((i) => i.path === "/new/parents" && i.kind === "folder")).toBe(true);
    const replaced = await put("/new/parents/here.txt", "two!");
    expect(replaced.status).toBe(200);
    const second = (await replaced.json()) as ItemJson;
    expect(second.id).toBe(first.id);
    expect(second.eTag).not.toBe(first.eTag);
    expect(second.size).toBe(4);
  });

  it("honours @microsoft.graph.conflictBehavior=fail and rename", async () => {
    await put("/conflict.txt", "a");
    const fail = await put("/conflict.txt", "b", "?@microsoft.graph.conflictBehavior=fail");
    expect(fail.status).toBe(409);
    expect(((await fail.json()) as ErrorJson).error.code).toBe("nameAlreadyExists");
    const rename = await put("/conflict.txt", "c", "?@microsoft.graph.conflictBehavior=rename");
    expect(rename.status).toBe(201);
    expect(((await rename.json()) as ItemJson).name).toBe("conflict 1.txt");
    const rename2 = await put("/CONFLICT.txt", "d", "?@microsoft.graph.conflictBehavior=rename");
    expect(((await rename2.json()) as ItemJson).name).toBe("CONFLICT 2.txt");
    const bad = await put("/conflict.txt", "e", "?@microsoft.graph.conflictBehavior=overwrite");
    expect(bad.status).toBe(400);
  });

  it("answers 413 above the configured size limit and stores nothing", async () => {
    const res = await put("/too-big.bin", patternBytes(64 * 1024 + 1));
    expect(res.status).toBe(413);
    expect(emu.inspect.item(ops, "/too-big.bin")).toBeUndefined();
    const atLimit = await put("/at-limit.bin", patternBytes(64 * 1024));
    expect(atLimit.status).toBe(201);
  });

  it("accepts 0-byte files", async () => {
    const res = await put("/empty.txt", new Uint8Array(0));
    expect(res.status).toBe(201);
    const item = (await res.json()) as ItemJson;
    expect(item.size).toBe(0);
    expect(item.file.hashes.quickXorHash).toBe("AAAAAAAAAAAAAAAAAAAAAAAAAAA=");
  });

  it("computes QuickXorHash over whole files (docs/graph-protocol.md test vectors)", async () => {
    const vectors: [string, string][] = [
      ["", "AAAAAAAAAAAAAAAAAAAAAAAAAAA="],
      ["Sg==", "SgAAAAAAAAAAAAAAAQAAAAAAAAA="],
      ["tbQ=", "taAFAAAAAAAAAAAAAgAAAAAAAAA="],
      ["2fuxhBJXtpWFe8dOfdGeHw==", "O9tHLAghgSvYohKFyMMxnNCHaHg="],
      [Buffer.from("hello world").toString("base64"), "aCgDG9jwBhDc4Q1yawMZAAAAAAA="],
    ];
    for (const [input, expected] of vectors) {
      const res = await put(
        `/vectors/${input.replace(/[/=+]/g, "_") || "empty"}.bin`,
        Buffer.from(input, "base64"),
      );
      expect(((await res.json()) as ItemJson).file.hashes.quickXorHash).toBe(expected);
    }
    const bigger = patternBytes(50_000, 3);
    const res = await put("/vectors/pattern.bin", bigger);
    expect(((await res.json()) as ItemJson).file.hashes.quickXorHash).toBe(quickXorHashOf(bigger));
    expect(emu.inspect.readItem(ops, "/vectors/pattern.bin")?.equals(bigger)).toBe(true);
  });

  it("rejects invalid names with 400 invalidRequest naming the rule", async () => {
    const cases: [string, RegExp][] = [
      ["/bad:name.txt", /must not contain/],
      ["/bad\u0001.txt", /control characters/],
      ["/ leading.txt", /space/],
      ["/trailing.txt ", /space/],
      ["/dot.", /period/],
      ["/CON", /reserved/],
      ["/folder/lpt1", /reserved/],
      ["/desktop.ini", /reserved/],
      ["/.lock", /reserved/],
      ["/~$owner.docx", /~\$/],
      ["/x_vti_y.txt", /_vti_/],
      ["/forms/file.txt", /forms/],
    ];
    for (const [path, rule] of cases) {
      const res = await put(path, "x");
      expect(res.status, path).toBe(400);
      const body = (await res.json()) as ErrorJson;
      expect(body.error.code, path).toBe("invalidRequest");
      expect(body.error.message, path).toMatch(rule);
    }
    expect((await put("/sub/forms/file.txt", "x")).status).toBe(201);
  });

  it("limits the decoded server-relative path to 400 characters", async () => {
    // "/sites/Ops/Shared Documents" is 27 characters; with "/" + name, 372 characters of name reach 400.
    const ok = await put(`/${"a".repeat(368)}.txt`, "x");
    expect(ok.status).toBe(201);
    const tooLong = await put(`/${"a".repeat(369)}.txt`, "x");
    expect(tooLong.status).toBe(400);
    expect(((await tooLong.json()) as ErrorJson).error.message).toContain("400 characters");
  });

  it("treats names case-insensitively", async () => {
    await put("/Case/File.TXT", "1");
    const res = await put("/case/file.txt", "22");
    expect(res.status).toBe(200);
    expect(emu.inspect.readItem(ops, "/CASE/FILE.txt")?.toString()).toBe("22");
  });

  it("replaces a file addressed by id with PUT items/{id}/content", async () => {
    const item = emu.inspect.putItem(ops, "/by-id.txt", Buffer.from("v1"));
    const res = await emu.graph(`/drives/${ops}/items/${item.id}/content`, { method: "PUT", body: "v2" });
    expect(res.status).toBe(200);
    expect(emu.inspect.readItem(ops, "/by-id.txt")?.toString()).toBe("v2");
    const download = await emu.graph(`/drives/${ops}/items/${item.id}/content`);
    expect(download.status).toBe(200);
    expect(await download.text()).toBe("v2");
  });

  it("answers 507 when the drive's quota is full", async () => {
    const { emu: tiny, driveId } = await startTinyQuotaEmulator(10);
    try {
      const ok = await tiny.graph(`/drives/${driveId}/root:/a.bin:/content`, {
        method: "PUT",
        body: "12345",
        token: TINY_TOKEN,
      });
      expect(ok.status).toBe(201);
      const full = await tiny.graph(`/drives/${driveId}/root:/b.bin:/content`, {
        method: "PUT",
        body: "123456",
        token: TINY_TOKEN,
      });
      expect(full.status).toBe(507);
      expect(((await full.json()) as ErrorJson).error.code).toBe("quotaLimitReached");
    } finally {
      await tiny.close();
    }
  });

  it("rewrites Office files when serviceModifiesOfficeFiles is on (size and hash differ)", async () => {
    // lenient: the test compares the hash in the upload answer, which the field profile shows only later.
    const modifying = await startTestEmulator({
      profile: "lenient",
      limits: { serviceModifiesOfficeFiles: true },
    });
    try {
      const sent = patternBytes(1000, 5);
      const res = await modifying.graph(`/drives/${ops}/root:/report.docx:/content`, {
        method: "PUT",
        body: sent,
      });
      const item = (await res.json()) as ItemJson;
      expect(item.size).toBeGreaterThan(sent.length);
      expect(item.file.hashes.quickXorHash).not.toBe(quickXorHashOf(sent));
      const stored = modifying.inspect.readItem(ops, "/report.docx");
      expect(item.file.hashes.quickXorHash).toBe(quickXorHashOf(stored ?? Buffer.alloc(0)));
      const plain = await modifying.graph(`/drives/${ops}/root:/data.bin:/content`, {
        method: "PUT",
        body: sent,
      });
      expect(((await plain.json()) as ItemJson).file.hashes.quickXorHash).toBe(quickXorHashOf(sent));
    } finally {
      await modifying.close();
    }
    // Off by default.
    const res = await emu.graph(`/drives/${ops}/root:/report.docx:/content`, { method: "PUT", body: "docx" });
    expect(((await res.json()) as ItemJson).size).toBe(4);
  });
});
