/**
 * Builds what an in-process mirror run needs from configuration: Graph (engine and directory), sources (files
 * under ALLOWED_FILE_ROOTS, blobs when a storage account is configured, https URLs behind the network guard)
 * and job sizes. Used by `graph-mirror mirror` and by the bundled sample.
 */
import { createTokenProvider } from "../auth/index.js";
import type { Env } from "../config/auth.js";
import { parseHttpApiConfig } from "../config/httpApi.js";
import type { AppConfig } from "../config/index.js";
import { parseStorageConfig } from "../config/storage.js";
import type { Clock, TokenProvider } from "../core/ports/common.js";
import type { DriveDirectory } from "../core/ports/mirror.js";
import type { EngineDeps } from "../core/upload/engine.js";
import { DEFAULT_POLICY } from "../core/upload/policy.js";
import { GraphClient } from "../graph/client.js";
import { GraphHttp } from "../graph/http.js";
import { createNetworkPolicy } from "../sources/networkGuard.js";
import { createSourceOpener } from "../sources/opener.js";
import { lazySftpPool } from "../sources/sftp/lazyPool.js";
import { UrlSource } from "../sources/urlSource.js";
import { createStorageClients } from "../store/factory.js";
import { GraphDriveDirectory } from "./graphDirectory.js";
import type { ListerOptions } from "./listers.js";

export interface LocalWiring {
  readonly engine: EngineDeps;
  readonly directory: DriveDirectory;
  readonly sources: ListerOptions;
  readonly jobSettings: { readonly chunkSize: number; readonly simpleUploadMax: number };
}

export interface LocalWiringInput {
  readonly env: Env;
  readonly graph: AppConfig["graph"];
  readonly tokens: TokenProvider;
  readonly allowedFileRoots: readonly string[];
  readonly clock: Clock;
}

export function localWiring(input: LocalWiringInput): LocalWiring {
  const { graph, tokens, env } = input;
  const requestTimeoutMs = graph.requestTimeoutMs;
  const policy = createNetworkPolicy(parseHttpApiConfig(env).urlAllowedNetworks);
  const openUrl = (url: string) => new UrlSource(url, { policy, timeoutMs: requestTimeoutMs });
  // Blob sources only when a storage account is configured; without one they fail with a clear message.
  const blobService = env.AzureWebJobsStorage?.trim()
    ? createStorageClients(parseStorageConfig(env)).blobService
    : undefined;
  // One pool for listing and reading: the mirror's listing and its uploads share the bounded connections.
  const sftpPool = lazySftpPool(env);
  const blobContainer = blobService ? (name: string) => blobService.getContainerClient(name) : undefined;
  return {
    engine: {
      graph: new GraphClient({ baseUrl: graph.baseUrl, tokens, requestTimeoutMs }),
      sources: createSourceOpener({
        requestTimeoutMs,
        urlSource: openUrl,
        sftpPool,
        ...(blobContainer ? { blobContainer } : {}),
      }),
      clock: input.clock,
      random: Math.random,
      policy: DEFAULT_POLICY,
    },
    directory: new GraphDriveDirectory(new GraphHttp({ baseUrl: graph.baseUrl, tokens, requestTimeoutMs })),
    sources: {
      allowedFileRoots: input.allowedFileRoots,
      openUrl,
      sftpPool,
      ...(blobContainer ? { blobContainer } : {}),
    },
    jobSettings: { chunkSize: graph.chunkSize, simpleUploadMax: graph.simpleUploadMax },
  };
}

/** Convenience for callers holding a full AppConfig. */
export function tokensFor(config: AppConfig): TokenProvider {
  return createTokenProvider(config.auth, { graphRoot: config.graph.graphRoot });
}
