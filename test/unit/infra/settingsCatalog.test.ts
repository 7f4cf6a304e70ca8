/**
 * src/config/settings.ts against the code: the configuration parsers are run with an environment that records
 * every name they read, in each authentication mode, and the list must name exactly those settings. The sample
 * local.settings.json may only hold settings the app or the Functions host knows.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { type Env, parseAuthConfig } from "../../../src/config/auth.js";
import { parseGraphConfig } from "../../../src/config/graph.js";
import { parseHttpApiConfig } from "../../../src/config/httpApi.js";
import { parsePipelineConfig } from "../../../src/config/pipeline.js";
import { SETTINGS } from "../../../src/config/settings.js";
import { parseSftpConfig } from "../../../src/config/sftp.js";
import { parseStorageConfig } from "../../../src/config/storage.js";
import { ConfigError } from "../../../src/core/shared/validationError.js";
import { parseLocalHostSettings } from "../../../src/localhost/settings.js";
import { parseMirrorSettings } from "../../../src/mirror/settings.js";
import { HOST_SETTINGS, ROOT } from "./deployment.js";

/** Every parser that turns the environment into configuration (the app's, the command line's, the local host's). */
const PARSERS: Record<string, (env: Env) => unknown> = {
  auth: (env) => parseAuthConfig(env, { exists: () => false }),
  graph: parseGraphConfig,
  storage: parseStorageConfig,
  pipeline: parsePipelineConfig,
  httpApi: parseHttpApiConfig,
  sftp: parseSftpConfig,
  mirror: parseMirrorSettings,
  localHost: parseLocalHostSettings,
};

/** Environments that drive the parsers down each branch (one per authentication mode, plus nothing set). */
const ENVIRONMENTS: Record<string, Record<string, string>> = {
  empty: {},
  "client-secret": { AZURE_TENANT_ID: "t", AZURE_CLIENT_ID: "c", AZURE_CLIENT_SECRET: "s" },
  "client-certificate": {
    AZURE_TENANT_ID: "t",
    AZURE_CLIENT_ID: "c",
    AZURE_CLIENT_CERTIFICATE_PATH: "/c.pem",
  },
  "managed-identity": { AUTH_MODE: "managed-identity" },
  "workload-identity": { AZURE_TENANT_ID: "t", AZURE_CLIENT_ID: "c", AZURE_FEDERATED_TOKEN_FILE: "/t" },
  delegated: { TOKEN_FILE: "/token.json", HOME: "/home/u" },
  "storage-identity": {
    AzureWebJobsStorage__accountName: "acct",
    AzureWebJobsStorage__credential: "managedidentity",
  },
};

/** Property names JavaScript itself looks up on any object (zod, Promise checks); not settings. */
const NOT_SETTINGS = new Set(["then", "toJSON", "constructor", "__proto__", "valueOf", "toString"]);

function settingsRead(): Set<string> {
  const read = new Set<string>();
  for (const values of Object.values(ENVIRONMENTS)) {
    const env = new Proxy(values, {
      get(target, property) {
        if (typeof property === "string" && !NOT_SETTINGS.has(property)) read.add(property);
        return typeof property === "string" ? target[property] : undefined;
      },
    });
    for (const parse of Object.values(PARSERS)) {
      try {
        parse(env);
      } catch (err: unknown) {
        if (!(err instanceof ConfigError)) throw err;
      }
    }
  }
  return read;
}

describe("src/config/settings.ts", () => {
  const read = settingsRead();
  const listed = SETTINGS.map((s) => s.name);

  it("lists every setting the configuration parsers read", () => {
    expect(read.size).toBeGreaterThan(40);
    expect([...read].filter((name) => !listed.includes(name)).sort()).toEqual([]);
  });

  it("lists no setting that no parser reads", () => {
    expect(listed.filter((name) => !read.has(name)).sort()).toEqual([]);
  });

  it("names each setting once, with a description", () => {
    expect(new Set(listed).size).toBe(listed.length);
    for (const setting of SETTINGS) expect(setting.description.length, setting.name).toBeGreaterThan(10);
  });
});

describe("local.settings.sample.json", () => {
  const sample = path.join(ROOT, "local.settings.sample.json");

  it("exists, so a new checkout can start from it", () => {
    expect(existsSync(sample), "local.settings.sample.json is missing").toBe(true);
  });

  it("holds only settings the app or the Functions host knows", () => {
    const values =
      (JSON.parse(readFileSync(sample, "utf8")) as { Values?: Record<string, unknown> }).Values ?? {};
    // Read by the Functions host or Core Tools, not by graph-mirror's code.
    const host = new Set([...HOST_SETTINGS, "FUNCTIONS_WORKER_RUNTIME", "AzureWebJobsFeatureFlags"]);
    const unknown = Object.keys(values).filter(
      (name) => !host.has(name) && !SETTINGS.some((s) => s.name === name),
    );
    expect(unknown).toEqual([]);
    for (const [name, value] of Object.entries(values)) expect(typeof value, name).toBe("string");
  });
});
