/**
 * The composition root (src/app/services.ts, docs/design.md "Composition root"): loadConfig reads every area
 * once and reports every problem together; createServices hands every consumer the same token provider and
 * Graph layer, builds nothing until asked, and lets tests replace pieces.
 */
import { describe, expect, it } from "vitest";
import { engineDeps } from "../../../src/app/engine.js";
import { createServices } from "../../../src/app/services.js";
import { loadConfig } from "../../../src/config/index.js";
import { ConfigError } from "../../../src/core/shared/validationError.js";
import { DEFAULT_CHUNK_SIZING } from "../../../src/core/upload/chunkSizing.js";
import { createSourceOpener } from "../../../src/sources/opener.js";
import { createStorageClients } from "../../../src/store/factory.js";
import { MemoryDestinationIndex } from "../../../src/store/memoryDestinationIndex.js";
import { MemoryJobStore } from "../../../src/store/memoryJobStore.js";
import { MemoryThrottleStore } from "../../../src/store/memoryThrottleStore.js";
import { MemoryWakeQueue } from "../../../src/store/memoryWakeQueue.js";
import { MemoryRejectedWakes } from "../../../src/store/rejectedWakes.js";
import { ManualClock } from "../../support/pipeline/manualClock.js";

const STORAGE = { AzureWebJobsStorage: "UseDevelopmentStorage=true" };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err: unknown) {
    if (err instanceof ConfigError) return err.problems.map((p) => p.field);
    throw err;
  }
  return [];
}

describe("loadConfig", () => {
  it("reports the problems of every area in one ConfigError, naming each setting", () => {
    expect(
      problemsOf({
        CHUNK_SIZE: "abc",
        STEP_DEADLINE_SECONDS: "soon",
        WAKE_QUEUE: "Not_A_Queue",
        API_AUTH: "easyauth",
        SFTP_MAX_CONNECTIONS: "many",
        MIRROR_SCHEDULE: "hourly",
        AUTH_MODE: "magic",
      }).sort(),
    ).toEqual(
      [
        "API_AUTH",
        "AUTH_MODE",
        "CHUNK_SIZE",
        "MIRROR_SCHEDULE",
        "SFTP_MAX_CONNECTIONS",
        "STEP_DEADLINE_SECONDS",
        "WAKE_QUEUE",
      ].sort(),
    );
  });

  it("reports a setting two areas read (ALLOWED_FILE_ROOTS) once", () => {
    expect(problemsOf({ ALLOWED_FILE_ROOTS: "relative/dir" })).toEqual(["ALLOWED_FILE_ROOTS"]);
  });

  it("is frozen all the way down", () => {
    const config = loadConfig({ ...STORAGE, ALLOWED_FILE_ROOTS: "/data" });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.graph)).toBe(true);
    expect(Object.isFrozen(config.httpApi.allowedFileRoots)).toBe(true);
    expect(() => {
      (config.graph as { chunkSize: number }).chunkSize = 1;
    }).toThrow(TypeError);
  });

  it("has a storage account only when an AzureWebJobsStorage setting is present", () => {
    expect(loadConfig({}).storage).toBeUndefined();
    expect(loadConfig({}).storageNames.wakeQueue).toBeTruthy();
    expect(loadConfig(STORAGE).storage?.connection.kind).toBe("connection-string");
    expect(loadConfig({ AzureWebJobsStorage__accountName: "acct" }).storage?.connection.kind).toBe(
      "identity",
    );
  });
});

describe("createServices", () => {
  const env = { ...STORAGE, GRAPH_ACCESS_TOKEN: "t", GRAPH_BASE_URL: "http://127.0.0.1:9/v1.0" };

  it("gives every consumer the one token provider and the one Graph layer", async () => {
    const services = createServices(loadConfig(env), { storage: async () => memoryStorage() });
    expect(services.tokens()).toBe(services.tokens());
    expect(services.graphHttp()).toBe(services.graphHttp());
    expect(services.graphClient()).toBe(services.graphClient());
    expect(await services.uploadApi()).toBe(await services.uploadApi());
    expect((await services.uploadApi()).destinationCheck).toBeDefined();
    expect(await services.engine()).toBe(await services.engine());
  });

  it("sizes link-sized fragments against the configured request deadline, not its default", () => {
    const services = createServices(loadConfig({ ...env, GRAPH_REQUEST_TIMEOUT_MS: "30000" }), {
      storage: async () => memoryStorage(),
    });
    const deps = engineDeps(services, createSourceOpener({ requestTimeoutMs: 30_000 }));
    expect(deps.policy.chunkSizing?.deadlineMs).toBe(30_000);
    expect(deps.policy.chunkSizing?.maxBytes).toBe(DEFAULT_CHUNK_SIZING.maxBytes);
  });

  it("without credentials the HTTP API still builds, unchecked; the token provider names the problem", async () => {
    const services = createServices(loadConfig({ ...STORAGE, AUTH_MODE: "" }), {
      storage: async () => memoryStorage(),
    });
    if (services.config.auth.mode !== "none") return; // a signed-in developer machine: nothing to check
    expect((await services.uploadApi()).destinationCheck).toBeUndefined();
    expect(() => services.tokens()).toThrow(/no Microsoft Graph credentials/);
  });

  it("names AzureWebJobsStorage when storage is used without one", async () => {
    const services = createServices(loadConfig({ GRAPH_ACCESS_TOKEN: "t" }));
    expect(() => services.storageConfig()).toThrow(/AzureWebJobsStorage/);
    await expect(services.storage()).rejects.toThrow(/AzureWebJobsStorage/);
  });

  it("builds its one token provider with the token options it is given (auth status --verbose)", async () => {
    const events: { event: string }[] = [];
    const missing = "/nonexistent-graph-mirror";
    const config = loadConfig({
      TOKEN_FILE: `${missing}/token.json`,
      RCLONE_CONFIG: `${missing}/rclone.conf`,
    });
    const services = createServices(config, { tokenOptions: { logger: (e) => events.push(e) } });
    await expect(services.tokens().getToken({ signal: AbortSignal.timeout(5_000) })).rejects.toThrow(
      /graph-mirror login/,
    );
    expect(events.map((e) => e.event)).toEqual(["auth.source-skipped", "auth.source-skipped"]);
    // Without options nothing is logged: the decision log is the caller's choice.
    const quiet = createServices(config);
    await expect(quiet.tokens().getToken({ signal: AbortSignal.timeout(5_000) })).rejects.toThrow();
    expect(events).toHaveLength(2);
  });

  it("names the storage settings' own choices when storage is missing", () => {
    expect(() => createServices(loadConfig({})).storageConfig()).toThrow(
      /AzureWebJobsStorage: is required: a connection string, UseDevelopmentStorage=true, or AzureWebJobsStorage__accountName/,
    );
  });

  it("uses the overrides it is given", async () => {
    const clock = new ManualClock();
    const storage = memoryStorage();
    const engine = {
      runStep: async () => Promise.reject(new Error("x")),
      cancelJob: async () => Promise.reject(new Error("x")),
    };
    const services = createServices(loadConfig(env), {
      clock,
      storage: async () => storage,
      engine: async () => engine,
    });
    expect(services.clock).toBe(clock);
    expect(await services.storage()).toBe(storage);
    expect(await services.engine()).toBe(engine);
  });
});

function memoryStorage() {
  const clock = new ManualClock();
  return {
    jobs: new MemoryJobStore(),
    throttle: new MemoryThrottleStore(),
    wakeQueue: new MemoryWakeQueue(clock),
    destinations: new MemoryDestinationIndex(),
    rejectedWakes: new MemoryRejectedWakes(),
    clients: createStorageClients(loadConfig(STORAGE).storage ?? fail()),
    ensureResources: async () => {},
  };
}

function fail(): never {
  throw new Error("no storage config");
}
