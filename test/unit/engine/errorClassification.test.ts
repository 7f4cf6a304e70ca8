import { describe, expect, it } from "vitest";
import { AuthError } from "../../../src/auth/errors.js";
import { GraphFailure } from "../../../src/core/ports/graphFailure.js";
import { RangeParseError } from "../../../src/core/shared/ranges.js";
import {
  type ClassifyContext,
  classifyFailure,
  type Operation,
} from "../../../src/core/upload/errorClassification.js";
import { DEFAULT_POLICY } from "../../../src/core/upload/policy.js";

const ctx: ClassifyContext = {
  retries: 0,
  badRequestResyncs: 0,
  now: 0,
  random: () => 0.5,
  policy: DEFAULT_POLICY,
  conflict: "replace",
};
const http = (status: number, codes: string[] = []) =>
  new GraphFailure({ kind: "http", status, codes, requestId: "rid-1", message: `HTTP ${status}` });

function decide(failure: unknown, op: Operation = "fragment", over: Partial<typeof ctx> = {}) {
  return classifyFailure(failure, op, { ...ctx, ...over });
}

describe("error classification", () => {
  it("a token endpoint that could not be reached is retried with backoff", () => {
    const d = decide(new AuthError("network", "identity endpoint unreachable"), "create-session");
    expect(d).toMatchObject({ action: "retry-after", error: { code: "auth-network" }, resync: false });
  });

  it.each([
    ["sign-in-required", "sign in again with `graph-mirror login`"],
    ["bad-client-credential", "AZURE_CLIENT_SECRET is wrong or expired"],
    ["insufficient-permission", "grant Files.ReadWrite.All"],
  ] as const)("a credential failure %s fails the job with its guidance", (code, message) => {
    expect(decide(new AuthError(code, message), "resolve")).toEqual({
      action: "fail",
      error: { code: `auth-${code}`, message },
    });
  });

  it.each([
    [429, "throttled", true],
    [503, "throttled", true],
    [500, "server-error", false],
    [502, "server-error", false],
    [504, "server-error", false],
    [423, "locked", false],
  ])("%i on a fragment -> retry-after (%s)", (status, code, throttleDrive) => {
    const d = decide(http(status));
    expect(d).toMatchObject({
      action: "retry-after",
      error: { code, httpStatus: status, requestId: "rid-1" },
      throttleDrive,
    });
    if (d.action === "retry-after") expect(d.resync).toBe(true);
  });

  it("timeouts and resets back off and resync", () => {
    expect(decide(new GraphFailure({ kind: "timeout", message: "t" }))).toMatchObject({
      action: "retry-after",
      error: { code: "timeout" },
      resync: true,
    });
    expect(decide(new GraphFailure({ kind: "network", message: "ECONNRESET" }))).toMatchObject({
      action: "retry-after",
      error: { code: "network-error" },
    });
  });

  it("416 resyncs at once", () => {
    expect(decide(http(416, ["fragmentOverlap", "invalidRange"]))).toMatchObject({
      action: "retry-now",
      resync: true,
      error: { code: "range-mismatch", graphCode: "fragmentOverlap" },
    });
  });

  it.each([
    [404, "session-not-found"],
    [401, "upload-url-expired"],
    [403, "upload-url-expired"],
  ])("%i on the upload URL restarts the session", (status, code) => {
    expect(decide(http(status))).toMatchObject({ action: "restart-session", error: { code } });
    expect(decide(http(status), "status")).toMatchObject({ action: "restart-session" });
  });

  it.each([
    [401, "unauthorized"],
    [403, "forbidden"],
    [404, "not-found"],
  ])("%i on the Graph host fails", (status, code) => {
    expect(decide(http(status), "create-session")).toMatchObject({ action: "fail", error: { code } });
  });

  it("507 fails; 409 is a name conflict only under the fail conflict behaviour", () => {
    expect(decide(http(507, ["quotaLimitReached"]))).toMatchObject({
      action: "fail",
      error: { code: "quota-exceeded" },
    });
    const underFail = decide(http(409, ["nameAlreadyExists"]), "fragment", { conflict: "fail" });
    expect(underFail).toMatchObject({ action: "fail", error: { code: "name-conflict" } });
    expect(underFail.error.message).toContain("conflict behaviour is fail");
    // Under replace the file is open or held: wait and ask again, and never advise another conflict behaviour.
    const underReplace = decide(http(409, ["nameAlreadyExists"]));
    expect(underReplace).toMatchObject({ action: "retry-after", resync: true, error: { code: "file-busy" } });
    expect(underReplace.error.message).not.toContain("--conflict");
  });

  it("400 resyncs once, then fails", () => {
    expect(decide(http(400))).toMatchObject({ action: "retry-now", resync: true });
    expect(decide(http(400), "fragment", { badRequestResyncs: 1 })).toMatchObject({
      action: "fail",
      error: { code: "bad-request" },
    });
    expect(decide(http(400), "create-session")).toMatchObject({ action: "fail" });
  });

  it("413 on simple upload switches to a session", () => {
    expect(decide(http(413), "simple-upload")).toMatchObject({ action: "use-session" });
  });

  it("retry-after honours the server's delay over backoff", () => {
    const f = new GraphFailure({ kind: "http", status: 429, retryAfter: "12", message: "x" });
    expect(decide(f)).toMatchObject({ delayMs: 12_000 });
  });

  it("unreadable ranges are transient; unknown errors fail as internal", () => {
    expect(decide(new RangeParseError("zz"))).toMatchObject({
      action: "retry-after",
      error: { code: "bad-response" },
    });
    expect(decide(new Error("boom"))).toMatchObject({ action: "fail", error: { code: "internal-error" } });
  });

  it("never puts the URL's path or query into the message", () => {
    const f = new GraphFailure({
      kind: "http",
      status: 500,
      message: "failed at https://up.example/x/y?tempauth=abc Bearer eyJ0eXAi.secret",
    });
    const d = decide(f);
    expect(d.error.message).not.toContain("tempauth");
    expect(d.error.message).not.toContain("eyJ0eXAi");
    expect(d.error.message).toContain("https://up.example");
  });
});

describe("a Graph host that cannot be connected to (issue 15 item 7)", () => {
  const refused = new GraphFailure({
    kind: "network",
    message: "GET resolve: ECONNREFUSED connect ECONNREFUSED 127.0.0.1:9",
    unreachableHost: "127.0.0.1:9",
  });

  it("retries a few times quickly, then fails with 'cannot connect to <host>'", () => {
    const first = decide(refused, "resolve", { retries: 0 });
    expect(first).toMatchObject({ action: "retry-after", resync: false });
    expect(first.action === "retry-after" && first.delayMs).toBeLessThanOrEqual(2_000);
    const last = decide(refused, "create-session", { retries: 3 });
    expect(last.action).toBe("fail");
    expect(last.error.code).toBe("cannot-connect");
    expect(last.error.message).toContain("cannot connect to 127.0.0.1:9");
  });

  it("keeps the transient path on upload URLs, whose fragment's fate must be resynced", () => {
    const decision = decide(refused, "fragment", { retries: 5 });
    expect(decision).toMatchObject({ action: "retry-after", resync: true });
    expect(decision.error.code).toBe("network-error");
  });
});
