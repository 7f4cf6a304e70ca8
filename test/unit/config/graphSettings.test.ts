/** The Graph settings' parser (src/config/graph.ts, hand-written since issue 17): rules, wording, order. */
import { describe, expect, it } from "vitest";
import { parseGraphConfig } from "../../../src/config/graph.js";
import { ConfigError } from "../../../src/core/shared/validationError.js";

function problems(env: Record<string, string>): string[] {
  try {
    parseGraphConfig(env);
  } catch (err: unknown) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.field}: ${p.rule}`);
    throw err;
  }
  return [];
}

describe("parseGraphConfig", () => {
  it("reports every bad setting once, in the settings' order, with its rule", () => {
    expect(
      problems({
        GRAPH_REQUEST_TIMEOUT_MS: "999",
        SIMPLE_UPLOAD_MAX: "lots",
        CHUNK_SIZE: "1000000",
        GRAPH_BASE_URL: "ftp://graph.example.com/v1.0",
      }),
    ).toEqual([
      "GRAPH_BASE_URL: must be an http(s) URL",
      expect.stringMatching(/^CHUNK_SIZE: must be a multiple of 320 KiB/),
      "SIMPLE_UPLOAD_MAX: must be a size such as 320KiB, 10MiB or 4194304",
      "GRAPH_REQUEST_TIMEOUT_MS: must be a whole number of milliseconds from 1000 to 600000",
    ]);
  });

  it("refuses a base URL with a query, fragment or credentials, and a non-URL", () => {
    const rule = "GRAPH_BASE_URL: must not contain a query, fragment or credentials";
    expect(problems({ GRAPH_BASE_URL: "https://graph.example.com/v1.0?x=1" })).toEqual([rule]);
    expect(problems({ GRAPH_BASE_URL: "https://user:pw@graph.example.com/v1.0" })).toEqual([rule]);
    expect(problems({ GRAPH_BASE_URL: "nope" })).toEqual([
      "GRAPH_BASE_URL: must be an absolute URL such as https://graph.microsoft.com/v1.0",
    ]);
  });

  it("takes blank settings as unset, and whole numbers and sizes within their bounds", () => {
    const config = parseGraphConfig({
      GRAPH_BASE_URL: "  ",
      CHUNK_SIZE: " ",
      SIMPLE_UPLOAD_MAX: "4194304",
      GRAPH_REQUEST_TIMEOUT_MS: "600000",
    });
    expect(config.baseUrl).toBe("https://graph.microsoft.com/v1.0");
    expect(config.simpleUploadMax).toBe(4_194_304);
    expect(config.requestTimeoutMs).toBe(600_000);
    expect(problems({ SIMPLE_UPLOAD_MAX: "60MiB" })).toEqual([
      "SIMPLE_UPLOAD_MAX: must be under 60 MiB (one request's worth, held in memory)",
    ]);
    expect(problems({ GRAPH_REQUEST_TIMEOUT_MS: "1500.5" })).toHaveLength(1);
  });
});
