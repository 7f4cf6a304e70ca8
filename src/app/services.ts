/**
 * The composition root (docs/design.md "Composition root"): everything the Functions app, the local host and
 * the CLI run on is built here, from one frozen AppConfig (src/config/index.ts loadConfig), once per services
 * object. One token provider, so every consumer shares its cached token and refresh state; one Graph client;
 * one set of stores; the engine; the logger. Members are built on first use (lazy.ts): an HTTP-only instance
 * never builds the engine, a CLI command without a storage account never touches storage.
 *
 * The Azure Storage SDKs (and the builders that use them) are imported on first use too: loading them costs
 * ~25 MiB of RSS, which a CLI upload that never touches storage should not pay (issue 17, docs/upload.md
 * "Memory").
 *
 * Tests and the local host replace pieces through {@link ServiceOverrides} (in-memory stores, a scripted
 * engine, a manual clock); everything else is still built from the configuration.
 */
import type { UploadApiDeps } from "../api/uploadHandlers.js";
import { createTokenProvider } from "../auth/index.js";
import type { AppConfig } from "../config/index.js";
import { JobRowCache } from "../core/pipeline/jobRowCache.js";
import { systemClock } from "../core/ports/common.js";
import { ConfigError } from "../core/shared/validationError.js";
import { GraphClient } from "../graph/client.js";
import { GraphHttp } from "../graph/http.js";
import { createNetworkPolicy } from "../sources/networkGuard.js";
import { SftpPool } from "../sources/sftp/pool.js";
import { createStepEngine } from "./engine.js";
import { jsonLines } from "./jsonLog.js";
import { lazy } from "./lazy.js";
import type { MirrorWiring } from "./mirror.js";
import type { StepEngine } from "./stepEngine.js";
import type { CoreServices, ServiceOverrides } from "./types.js";

export type { CoreServices, ServiceOverrides } from "./types.js";

export interface Services extends CoreServices {
  /** The upload engine for the queue worker (src/core/pipeline/worker.ts). */
  engine(): Promise<StepEngine>;
  /** The HTTP API's dependencies (POST/GET/DELETE /api/uploads). */
  uploadApi(): Promise<UploadApiDeps>;
  /** The mirror's settings, stores and pass dependencies (timer, job-end hook, read routes). */
  mirror(): Promise<MirrorWiring>;
}

export function createServices(config: AppConfig, overrides: ServiceOverrides = {}): Services {
  const clock = overrides.clock ?? systemClock;
  const { graph } = config;
  const tokens = lazy(() =>
    createTokenProvider(config.auth, { graphRoot: graph.graphRoot, ...overrides.tokenOptions }),
  );
  const graphOptions = () => ({
    baseUrl: graph.baseUrl,
    tokens: tokens(),
    requestTimeoutMs: graph.requestTimeoutMs,
  });
  const storageConfig = () => {
    if (config.storage) return config.storage;
    throw new ConfigError([
      {
        field: "AzureWebJobsStorage",
        // The wording of the storage settings' own rule (src/config/storage.ts), so a command that needs
        // storage names the same choices whether the root or the parser noticed the gap.
        rule: "is required: a connection string, UseDevelopmentStorage=true, or AzureWebJobsStorage__accountName with a managed identity",
      },
    ]);
  };
  const core: CoreServices = {
    config,
    clock,
    // One JSON object per line on stdout (docs/design.md "Structured logs").
    log: overrides.log ?? jsonLines((line) => console.log(line)),
    rowCache: new JobRowCache(),
    networkPolicy: createNetworkPolicy(config.httpApi.urlAllowedNetworks),
    tokens,
    graphHttp: lazy(() => new GraphHttp(graphOptions())),
    graphClient: lazy(() => new GraphClient(graphOptions())),
    sftpPool: lazy(() => new SftpPool(config.sftp)),
    storageConfig,
    storage: lazy(
      overrides.storage ??
        (async () => {
          const { createStorage } = await import("../store/factory.js");
          const built = createStorage(storageConfig(), { clock });
          await built.ensureResources();
          return built;
        }),
    ),
    mirrorStores: lazy(async () => {
      const { createMirrorStores } = await import("../mirror/storage.js");
      const stores = createMirrorStores(storageConfig());
      await stores.ensureTables();
      return stores;
    }),
  };
  return {
    ...core,
    engine: lazy(overrides.engine ?? (() => createStepEngine(core))),
    uploadApi: lazy(async () => (await import("./uploadApi.js")).buildUploadApi(core)),
    mirror: lazy(async () => (await import("./mirror.js")).buildMirrorWiring(core)),
  };
}
