/**
 * Every refused request answers 400 with {"error":{"code":"invalidRequest","problems":[{field,rule}]}} naming the
 * field and the rule, and stores, stages and enqueues nothing (issue 4; docs/design.md invariant 6).
 */
import path from "node:path";
import { HttpRequest } from "@azure/functions";
import { describe, expect, it } from "vitest";
import { postUpload } from "../../../src/api/uploadHandlers.js";
import { context, harness, jsonRequest, octetRequest } from "../../support/httpApiHarness.js";

const drive = { type: "drive", driveId: "b!abc", path: "/in/file.bin" };
const blob = { type: "blob", container: "incoming", blob: "a/b.bin" };
const sftp = { type: "sftp", host: "sftp.example.com", username: "backup", path: "/srv/export/a.bin" };

type Case = readonly [
  name: string,
  build: (h: ReturnType<typeof harness>) => HttpRequest,
  field: string,
  rule: RegExp,
];

const body = (source: unknown, destinations: unknown = [drive], extra: object = {}) =>
  jsonRequest({ source, destinations, ...extra });

const cases: Case[] = [
  ["malformed JSON", () => jsonRequest("{not json"), "(body)", /valid JSON/],
  ["empty body", () => jsonRequest(""), "(body)", /required/],
  ["JSON array", () => jsonRequest([]), "(body)", /object/],
  ["JSON null", () => jsonRequest("null"), "(body)", /object/],
  [
    "oversized JSON body",
    () => jsonRequest({ source: blob, destinations: [drive], pad: "x".repeat(5000) }),
    "(body)",
    /at most 4096 bytes/,
  ],
  ["unknown top-level field", () => body(blob, [drive], { priority: 1 }), "priority", /not a known field/],
  ["unknown source field", () => body({ ...blob, sas: "x" }), "source.sas", /not a known field/],
  [
    "unknown destination field",
    () => body(blob, [{ ...drive, overwrite: true }]),
    "destinations[0].overwrite",
    /not a known field/,
  ],
  ["missing source", () => jsonRequest({ destinations: [drive] }), "source", /required/],
  ["source of wrong type", () => body("blob:incoming/a"), "source", /an object/],
  [
    "unknown source type",
    () => body({ type: "ftp", url: "ftp://x" }),
    "source.type",
    /"blob", "file", "url"/,
  ],
  ["destinations not an array", () => body(blob, drive), "destinations", /an array/],
  ["no destinations", () => body(blob, []), "destinations", /at least one/],
  [
    "too many destinations",
    () =>
      body(
        blob,
        Array.from({ length: 21 }, (_, i) => ({ ...drive, path: `/f${i}.bin` })),
      ),
    "destinations",
    /at most 20/,
  ],
  [
    "unknown destination type",
    () => body(blob, [{ type: "dropbox", path: "/x" }]),
    "destinations[0].type",
    /"drive", "onedrive", "sharepoint"/,
  ],
  ["driveId a number", () => body(blob, [{ ...drive, driveId: 42 }]), "destinations[0].driveId", /a string/],
  [
    "driveId with a slash",
    () => body(blob, [{ ...drive, driveId: "b!a/../../me" }]),
    "destinations[0].driveId",
    /must not contain \//,
  ],
  ["empty path", () => body(blob, [{ ...drive, path: "" }]), "destinations[0].path", /not be empty/],
  [
    "bad conflictBehavior",
    () => body(blob, [drive], { conflictBehavior: "overwrite" }),
    "conflictBehavior",
    /"replace", "rename", "fail"/,
  ],
  [
    "name with a forbidden character",
    () => body(blob, [{ ...drive, path: "/in/a:b.bin" }]),
    "destinations[0].path",
    /may not contain/,
  ],
  [
    "reserved name",
    () => body(blob, [{ ...drive, path: "/in/CON" }]),
    "destinations[0].path",
    /reserved name/,
  ],
  [
    "path traversal in destination",
    () => body(blob, [{ ...drive, path: "/in/../../etc/passwd" }]),
    "destinations[0].path",
    /ends with a "\."/,
  ],
  [
    "control character in path",
    () => body(blob, [{ ...drive, path: "/in/a\u0007.bin" }]),
    "destinations[0].path",
    /control characters/,
  ],
  [
    "sharepoint site over http",
    () =>
      body(blob, [
        {
          type: "sharepoint",
          site: "http://contoso.sharepoint.com/sites/Ops",
          library: "Documents",
          path: "/a.bin",
        },
      ]),
    "destinations[0].site",
    /https site URL/,
  ],
  [
    "duplicate destinations",
    () => body(blob, [drive, { ...drive, path: "/IN/file.bin" }]),
    "destinations[1]",
    /must not repeat destinations\[0\]/,
  ],
  [
    "blob container not allowed",
    () => body({ ...blob, container: "secrets" }),
    "source.container",
    /ALLOWED_BLOB_CONTAINERS/,
  ],
  [
    "blob container malformed",
    () => body({ ...blob, container: "Bad_Name" }),
    "source.container",
    /container name/,
  ],
  ["blob name with ..", () => body({ ...blob, blob: "a/../../other/x" }), "source.blob", /'\.\.'/],
  ["relative file path", () => body({ type: "file", path: "ok.bin" }), "source.path", /absolute path/],
  [
    "file outside roots",
    (h) => body({ type: "file", path: path.join(h.outside, "secret.txt") }),
    "source.path",
    /under one of the roots/,
  ],
  [
    "file path traversal",
    (h) => body({ type: "file", path: `${h.root}/../outside/secret.txt` }),
    "source.path",
    /under one of the roots/,
  ],
  [
    "symlink escape (file)",
    (h) => body({ type: "file", path: path.join(h.root, "escape") }),
    "source.path",
    /symlinks/,
  ],
  [
    "symlink escape (folder)",
    (h) => body({ type: "file", path: path.join(h.root, "linked-dir", "secret.txt") }),
    "source.path",
    /symlinks/,
  ],
  [
    "file that does not exist",
    (h) => body({ type: "file", path: path.join(h.root, "nope.bin") }),
    "source.path",
    /existing file/,
  ],
  [
    "file that is a folder",
    (h) => body({ type: "file", path: path.join(h.root, "dir") }),
    "source.path",
    /regular file/,
  ],
  ["http URL", () => body({ type: "url", url: "http://example.com/a.bin" }), "source.url", /https/],
  ["not a URL", () => body({ type: "url", url: "example.com/a.bin" }), "source.url", /absolute URL/],
  [
    "URL with credentials",
    () => body({ type: "url", url: "https://u:p@93.184.215.14/a.bin" }),
    "source.url",
    /user name or password/,
  ],
  [
    "loopback URL",
    () => body({ type: "url", url: "https://127.0.0.1/a.bin" }),
    "source.url",
    /loopback, private/,
  ],
  [
    "localhost name (resolved)",
    () => body({ type: "url", url: "https://localhost/a.bin" }),
    "source.url",
    /loopback, private/,
  ],
  [
    "private network URL",
    () => body({ type: "url", url: "https://10.1.2.3/a.bin" }),
    "source.url",
    /loopback, private/,
  ],
  [
    "IPv6 loopback URL",
    () => body({ type: "url", url: "https://[::1]/a.bin" }),
    "source.url",
    /loopback, private/,
  ],
  [
    "IPv4-mapped IPv6 loopback",
    () => body({ type: "url", url: "https://[::ffff:127.0.0.1]/a.bin" }),
    "source.url",
    /loopback, private/,
  ],
  [
    "metadata endpoint",
    () => body({ type: "url", url: "https://169.254.169.254/metadata/identity" }),
    "source.url",
    /metadata/,
  ],
  [
    "AWS IPv6 metadata endpoint",
    () => body({ type: "url", url: "https://[fd00:ec2::254]/latest" }),
    "source.url",
    /metadata/,
  ],
  [
    "Azure WireServer",
    () => body({ type: "url", url: "https://168.63.129.16/machine" }),
    "source.url",
    /metadata/,
  ],
  [
    "metadata by decimal IP",
    () => body({ type: "url", url: "https://2852039166/metadata" }),
    "source.url",
    /metadata/,
  ],
  [
    "unknown query parameter on JSON",
    () => jsonRequest({ source: blob, destinations: [drive] }, "?debug=1"),
    "debug",
    /not a known query parameter/,
  ],
  ["octet: missing to", () => octetRequest("?name=a.bin", new Uint8Array(3)), "to", /required/],
  ["octet: missing name", () => octetRequest("?to=drive:b!abc:/in/", new Uint8Array(3)), "name", /required/],
  [
    "octet: bad destination string",
    () => octetRequest("?to=ftp:x:/in/&name=a.bin", new Uint8Array(3)),
    "to",
    /drive:<driveId>:<path>/,
  ],
  [
    "octet: bad name",
    () => octetRequest("?to=drive:b!abc:/in/&name=a%3Fb.bin", new Uint8Array(3)),
    "name",
    /may not contain/,
  ],
  [
    "octet: name with traversal",
    () => octetRequest("?to=drive:b!abc:/in/&name=..", new Uint8Array(3)),
    "name",
    /ends with a "\."/,
  ],
  [
    "octet: unknown parameter",
    () => octetRequest("?to=drive:b!abc:/in/&name=a.bin&x=1", new Uint8Array(3)),
    "x",
    /not a known query parameter/,
  ],
  [
    "octet: repeated parameter",
    () => octetRequest("?to=drive:b!abc:/in/&name=a.bin&name=b.bin", new Uint8Array(3)),
    "name",
    /once/,
  ],
  [
    "octet: declared body too large",
    () => octetRequest("?to=drive:b!abc:/in/&name=a.bin", new Uint8Array(3), { "content-length": "5000" }),
    "body",
    /at most 1024 bytes/,
  ],
  [
    "octet: bad conflictBehavior",
    () => octetRequest("?to=drive:b!abc:/in/&name=a.bin&conflictBehavior=keep", new Uint8Array(3)),
    "conflictBehavior",
    /replace/,
  ],
  [
    "octet: driveId with a slash",
    () => octetRequest("?to=drive:b!a/../../me:/in/&name=a.bin", new Uint8Array(3)),
    "to.driveId",
    /must not contain \//,
  ],
  [
    "octet: sharepoint destination with no library",
    () =>
      octetRequest(
        `?to=${encodeURIComponent("sharepoint:https://contoso.sharepoint.com/sites/Ops:/in/")}&name=a.bin`,
        new Uint8Array(3),
      ),
    "to.library",
    /library name/,
  ],
  [
    "sftp host whose key is not pinned",
    () => body({ ...sftp, host: "other.example.com" }),
    "source.host",
    /pinned in SFTP_KNOWN_HOSTS/,
  ],
  [
    "sftp host pinned for another port",
    () => body({ ...sftp, host: "10.0.0.5", port: 22 }),
    "source.host",
    /pinned in SFTP_KNOWN_HOSTS/,
  ],
  [
    "sftp host with a user in it",
    () => body({ ...sftp, host: "root@sftp.example.com" }),
    "source.host",
    /host name/,
  ],
  ["sftp port out of range", () => body({ ...sftp, port: 70000 }), "source.port", /1 to 65535/],
  ["sftp relative path", () => body({ ...sftp, path: "export/a.bin" }), "source.path", /absolute path/],
  ["sftp path with ..", () => body({ ...sftp, path: "/srv/../etc/shadow" }), "source.path", /"\.\."/],
  ["sftp bad user name", () => body({ ...sftp, username: "a b" }), "source.username", /user name/],
];

describe("POST /api/uploads accepts an sftp source of a pinned host", () => {
  it("creates a job reading the file over SFTP, port 22 when not given, keeping the file's name", async () => {
    const h = harness();
    const response = await postUpload(h.deps)(body(sftp, [{ ...drive, path: "/in/" }]), context());
    expect(response.status).toBe(202);
    const job = h.created[0]?.[0];
    expect(job?.source).toEqual({ ...sftp, port: 22 });
    expect(job?.destination.path).toBe("/in/a.bin");
    const other = await postUpload(h.deps)(body({ ...sftp, host: "10.0.0.5", port: 2222 }), context());
    expect(other.status).toBe(202);
  });
});

describe("POST /api/uploads refuses bad requests", () => {
  it("has at least 30 distinct cases", () => {
    expect(new Set(cases.map(([name]) => name)).size).toBeGreaterThanOrEqual(30);
  });

  it.each(cases)("%s", async (_name, build, field, rule) => {
    const h = harness();
    const response = await postUpload(h.deps)(build(h), context());
    expect(response.status).toBe(400);
    const answer = (await response.json()) as {
      error: { code: string; message: string; problems: { field: string; rule: string }[] };
    };
    expect(answer.error.code).toBe("invalidRequest");
    const problem = answer.error.problems.find((p) => p.field === field);
    expect(problem, JSON.stringify(answer.error.problems)).toBeDefined();
    expect(problem?.rule).toMatch(rule);
    expect(answer.error.message).toContain(field);
    // Nothing stored, nothing staged, nothing queued.
    expect(h.created).toEqual([]);
    expect(h.queue.sent).toEqual([]);
    expect(h.queue.length).toBe(0);
    expect(h.staged).toEqual([]);
  });
});

describe("POST /api/uploads with a JSON body that does not say it is JSON (issue 15 item 6)", () => {
  it.each([
    ["text/plain", { "content-type": "text/plain" }],
    ["no content type", {}],
  ])("refuses %s with 415 naming the header and the rule, storing nothing", async (_name, headers) => {
    const h = harness();
    const request = new HttpRequest({
      method: "POST",
      url: "http://localhost/api/uploads",
      headers,
      body: { string: JSON.stringify({ source: blob, destinations: [drive] }) },
    });
    const response = await postUpload(h.deps)(request, context());
    expect(response.status).toBe(415);
    const answer = (await response.json()) as { error: { code: string; message: string } };
    expect(answer.error.code).toBe("unsupportedMediaType");
    expect(answer.error.message).toBe(
      "Content-Type: must be application/json for a JSON body (or application/octet-stream with ?to=)",
    );
    expect(h.created).toEqual([]);
    expect(h.queue.sent).toEqual([]);
  });

  it("blames a refused source, not the destination, when the destination keeps the source's name", async () => {
    const h = harness();
    const response = await postUpload(h.deps)(
      body({ type: "blob", container: "not-allowed", blob: "a.bin" }, [{ ...drive, path: "/in/" }]),
      context(),
    );
    expect(response.status).toBe(400);
    const answer = (await response.json()) as { error: { message: string } };
    expect(answer.error.message).toContain("source.container");
    expect(answer.error.message).not.toContain("must end with a file name");
  });
});

describe("the two request forms share one destination check (issue 15 item 6)", () => {
  it("answers 415 for ?to= with a body that is not application/octet-stream, storing nothing", async () => {
    const h = harness();
    const response = await postUpload(h.deps)(
      jsonRequest("{}", "?to=drive:b!abc:/in/&name=a.bin"),
      context(),
    );
    expect(response.status).toBe(415);
    const answer = (await response.json()) as { error: { code: string; message: string } };
    expect(answer.error.code).toBe("unsupportedMediaType");
    expect(answer.error.message).toBe("Content-Type: must be application/octet-stream with ?to=");
    expect(h.staged).toEqual([]);
    expect(h.queue.sent).toEqual([]);
  });

  it("says a broken path rule once, however often the path breaks it", async () => {
    const h = harness();
    const response = await postUpload(h.deps)(
      body(blob, [{ ...drive, path: "/in/../../etc/passwd" }]),
      context(),
    );
    const answer = (await response.json()) as { error: { message: string; problems: unknown[] } };
    expect(answer.error.message.split('ends with a "."').length - 1).toBe(1);
    expect(answer.error.problems).toHaveLength(1);
  });

  it("refuses in both forms what either refuses: the same field rule for the same destination", async () => {
    const h = harness();
    const viaJson = await postUpload(h.deps)(
      body(blob, [{ type: "drive", driveId: "b!a/b", path: "/in/a.bin" }]),
      context(),
    );
    const viaQuery = await postUpload(h.deps)(
      octetRequest("?to=drive:b!a/b:/in/&name=a.bin", new Uint8Array(3)),
      context(),
    );
    const rules = async (r: Awaited<typeof viaJson>) =>
      ((await r.json()) as { error: { problems: { rule: string }[] } }).error.problems.map((p) => p.rule);
    expect(viaJson.status).toBe(400);
    expect(viaQuery.status).toBe(400);
    expect(await rules(viaQuery)).toEqual(await rules(viaJson));
    expect(h.staged).toEqual([]);
  });
});
