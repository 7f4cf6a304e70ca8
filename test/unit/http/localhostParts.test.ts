import { describe, expect, it } from "vitest";
import { resolveSettings } from "../../../src/localhost/appSettings.js";
import { expandBraces } from "../../../src/localhost/entryPoints.js";
import { HOST_DEFAULTS, parseDuration, parseHostSettings } from "../../../src/localhost/hostJson.js";
import { compileRoute } from "../../../src/localhost/routes.js";
import { nextOccurrence } from "../../../src/localhost/timerTriggers.js";

describe("route templates", () => {
  it("matches literals case-insensitively and binds parameters", () => {
    const match = compileRoute("uploads/{id}");
    expect(match("/Uploads/abc-1")).toEqual({ params: { id: "abc-1" } });
    expect(match("/uploads")).toBeUndefined();
    expect(match("/uploads/a/b")).toBeUndefined();
    expect(compileRoute("uploads")("/uploads/")).toEqual({ params: {} });
  });
  it("supports optional, constrained and catch-all parameters", () => {
    expect(compileRoute("items/{n:int?}")("/items")).toEqual({ params: {} });
    expect(compileRoute("items/{n:int}")("/items/x")).toBeUndefined();
    expect(compileRoute("files/{*rest}")("/files/a/b%20c")).toEqual({ params: { rest: "a/b c" } });
  });
});

describe("host.json", () => {
  it("parses TimeSpans and milliseconds", () => {
    expect(parseDuration("00:00:30")).toBe(30_000);
    expect(parseDuration("1.02:00:00")).toBe(26 * 3_600_000);
    expect(parseDuration("00:00:00.250")).toBe(250);
    expect(parseDuration(2000)).toBe(2000);
    expect(parseDuration("soon")).toBeUndefined();
  });
  it("applies the host's defaults and reads the queue settings", () => {
    expect(parseHostSettings({})).toEqual(HOST_DEFAULTS);
    const settings = parseHostSettings({
      extensions: {
        http: { routePrefix: "/v2/" },
        queues: { batchSize: 4, visibilityTimeout: "00:00:30", maxDequeueCount: 3, messageEncoding: "none" },
      },
    });
    expect(settings.routePrefix).toBe("v2");
    expect(settings.queues).toEqual({
      batchSize: 4,
      newBatchThreshold: 2,
      maxPollingIntervalMs: 60_000,
      visibilityTimeoutMs: 30_000,
      maxDequeueCount: 3,
      messageEncoding: "none",
    });
  });
});

describe("timers and settings", () => {
  it("computes the next NCRONTAB occurrence (seconds field first)", () => {
    const from = new Date("2026-01-01T00:02:03Z");
    expect(nextOccurrence("0 */5 * * * *", from).toISOString()).toBe("2026-01-01T00:05:00.000Z");
    expect(nextOccurrence("30 0 * * * *", from).toISOString()).toBe("2026-01-01T01:00:30.000Z");
    expect(() => nextOccurrence("*/5 * * * *", from)).toThrow(/six NCRONTAB fields/);
  });
  it("resolves %SETTING% binding expressions and names a missing one", () => {
    expect(resolveSettings("%Q%-poison", { Q: "steps" })).toBe("steps-poison");
    expect(() => resolveSettings("%MISSING%", {})).toThrow(/MISSING/);
  });
  it("expands package.json main globs with braces", () => {
    expect(expandBraces("dist/src/{index.js,functions/*.js}")).toEqual([
      "dist/src/index.js",
      "dist/src/functions/*.js",
    ]);
  });
});
