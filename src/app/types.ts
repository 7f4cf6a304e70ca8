/**
 * What the composition root (src/app/services.ts) hands out, as types only, so the builders it composes
 * (engine.ts, uploadApi.ts, mirror.ts) can take the shared pieces without importing services.ts back.
 */
import type { AuthTokenProvider, TokenProviderOptions } from "../auth/index.js";
import type { AppConfig } from "../config/index.js";
import type { StorageConfig } from "../config/storage.js";
import type { JobRowCache } from "../core/pipeline/jobRowCache.js";
import type { PipelineLog } from "../core/pipeline/pipelineLog.js";
import type { Clock } from "../core/ports/common.js";
import type { GraphClient } from "../graph/client.js";
import type { GraphHttp } from "../graph/http.js";
import type { MirrorStores } from "../mirror/storage.js";
import type { NetworkPolicy } from "../sources/networkGuard.js";
import type { SftpPool } from "../sources/sftp/pool.js";
import type { Storage } from "../store/factory.js";
import type { StepEngine } from "./stepEngine.js";

/** The pieces every consumer shares: one token provider, one Graph client, one set of stores. */
export interface CoreServices {
  readonly config: AppConfig;
  readonly clock: Clock;
  readonly log: PipelineLog;
  /** The rows this instance's workers just wrote, so a job's next step can skip reading its row. */
  readonly rowCache: JobRowCache;
  readonly networkPolicy: NetworkPolicy;
  /** The one token provider; throws AuthError (at first use) when no credentials are configured. */
  tokens(): AuthTokenProvider;
  /** The Graph HTTP layer (lookups, folders, permissions), on the one token provider. */
  graphHttp(): GraphHttp;
  /** The engine's Graph port, on the same token provider. */
  graphClient(): GraphClient;
  /** SFTP connections, bounded per server; opened only when an sftp source is read. */
  sftpPool(): SftpPool;
  /** The storage settings; a ConfigError naming AzureWebJobsStorage when none is configured. */
  storageConfig(): StorageConfig;
  /** Storage clients and stores; the tables and queues exist once this resolves. */
  storage(): Promise<Storage>;
  /** The mirror's tables (manifest, history), created when missing; also the HTTP API's job history. */
  mirrorStores(): Promise<MirrorStores>;
}

/** Pieces a caller (a test, the local host) installs instead of the ones built from configuration. */
export interface ServiceOverrides {
  readonly clock?: Clock;
  readonly log?: PipelineLog;
  readonly storage?: () => Promise<Storage>;
  readonly engine?: () => Promise<StepEngine>;
  /**
   * Options for the one token provider, over the defaults (the Graph root of GRAPH_BASE_URL, system time, no
   * decision log): `graph-mirror auth status --verbose` logs every decision to stderr, and tests trust the CA
   * of a private identity endpoint.
   */
  readonly tokenOptions?: Partial<TokenProviderOptions>;
}
