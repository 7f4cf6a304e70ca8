import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/index.js";
import { ConfigError } from "../../../src/core/shared/validationError.js";
import { AUTO_CHUNK_SIZE } from "../../../src/core/upload/chunkPlan.js";

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err: unknown) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.field}: ${p.rule}`);
    throw err;
  }
  return [];
}

describe("loadConfig", () => {
  it("has the documented defaults", () => {
    const config = loadConfig({});
    expect(config.graph).toEqual({
      baseUrl: "https://graph.microsoft.com/v1.0",
      graphRoot: "https://graph.microsoft.com",
      // Unset: new jobs start at 10 MiB and size their fragments to the link (docs/upload.md "Chunk size").
      chunkSize: AUTO_CHUNK_SIZE,
      simpleUploadMax: 4 * 1024 * 1024,
      requestTimeoutMs: 120_000,
    });
    expect(config.auth.mode).toBe("none");
  });

  it("reads units and the static token", () => {
    const config = loadConfig({ CHUNK_SIZE: "320KiB", SIMPLE_UPLOAD_MAX: "1MiB", GRAPH_ACCESS_TOKEN: "t" });
    expect(config.graph.chunkSize).toBe(327_680);
    expect(config.graph.simpleUploadMax).toBe(1024 * 1024);
    expect(config.auth.mode).toBe("static-token");
  });

  it("defaults the Graph endpoint to the cloud GRAPH_CLOUD names, so national-cloud tokens stay in their cloud", () => {
    const usgov = loadConfig({ GRAPH_CLOUD: "usgov", GRAPH_ACCESS_TOKEN: "t" });
    expect(usgov.graph.baseUrl).toBe("https://graph.microsoft.us/v1.0");
    expect(usgov.graph.graphRoot).toBe("https://graph.microsoft.us");
    expect(loadConfig({ GRAPH_CLOUD: "china" }).graph.baseUrl).toBe(
      "https://microsoftgraph.chinacloudapi.cn/v1.0",
    );
    expect(
      loadConfig({ GRAPH_CLOUD: "usgov", GRAPH_BASE_URL: "http://127.0.0.1:1/v1.0" }).graph.baseUrl,
    ).toBe("http://127.0.0.1:1/v1.0");
  });

  it("allows http:// only for loopback hosts", () => {
    expect(loadConfig({ GRAPH_BASE_URL: "http://127.0.0.1:8080/v1.0/" }).graph.baseUrl).toBe(
      "http://127.0.0.1:8080/v1.0",
    );
    expect(loadConfig({ GRAPH_BASE_URL: "http://localhost:1/v1.0" }).graph.graphRoot).toBe(
      "http://localhost:1",
    );
    expect(problems({ GRAPH_BASE_URL: "http://graph.example.com/v1.0" })[0]).toMatch(
      /^GRAPH_BASE_URL: .*https/,
    );
  });

  it("names every bad setting and its rule at once", () => {
    const found = problems({
      GRAPH_BASE_URL: "not a url",
      CHUNK_SIZE: "1000000",
      SIMPLE_UPLOAD_MAX: "100MiB",
      GRAPH_REQUEST_TIMEOUT_MS: "5",
    });
    expect(found.some((p) => p.startsWith("GRAPH_BASE_URL: must be an absolute URL"))).toBe(true);
    expect(found.some((p) => p.startsWith("CHUNK_SIZE: must be a multiple of 320 KiB"))).toBe(true);
    expect(found.some((p) => p.startsWith("SIMPLE_UPLOAD_MAX: must be under 60 MiB"))).toBe(true);
    expect(found.some((p) => p.startsWith("GRAPH_REQUEST_TIMEOUT_MS:"))).toBe(true);
  });

  it("rejects chunk sizes of 60 MiB and more", () => {
    expect(problems({ CHUNK_SIZE: "60MiB" })).toEqual(["CHUNK_SIZE: must be under 60 MiB (62914560 bytes)"]);
    expect(loadConfig({ CHUNK_SIZE: "59.375MiB" }).graph.chunkSize).toBe(190 * 327_680);
  });
});
