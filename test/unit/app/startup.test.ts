/**
 * A bad setting stops the Functions app when the host loads it (src/functions/appServices.ts): loading
 * src/index.ts, as the worker does, throws a ConfigError naming the setting and the rule, before any request.
 */
import { afterEach, describe, expect, it, vi } from "vitest";

const saved = { ...process.env };

afterEach(() => {
  for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
  Object.assign(process.env, saved);
  vi.resetModules();
});

describe("Functions app start", () => {
  it("fails to load with CHUNK_SIZE=abc, naming the setting", async () => {
    process.env.CHUNK_SIZE = "abc";
    process.env.STEP_DEADLINE_SECONDS = "soon";
    vi.resetModules();
    const loading = import("../../../src/index.js");
    await expect(loading).rejects.toThrow(/CHUNK_SIZE: .*STEP_DEADLINE_SECONDS: /);
  });

  it("loads with valid settings", async () => {
    process.env.AzureWebJobsStorage = "UseDevelopmentStorage=true";
    vi.resetModules();
    await expect(import("../../../src/index.js")).resolves.toBeDefined();
  });
});
