/**
 * Wires the upload engine (src/core/upload/engine.ts) for the queue worker: Graph client, token provider and
 * sources from configuration, parsed once per instance. Blob sources (and staged HTTP bodies) are read through
 * the same storage account as the jobs; URL sources go through the same network guard as the HTTP API.
 * Fragment buffers are reused across invocations (one pool per instance).
 */

import { createTokenProvider } from "../auth/index.js";
import type { Env } from "../config/auth.js";
import { parseAuthConfig } from "../config/auth.js";
import { parseGraphConfig } from "../config/graph.js";
import { parseHttpApiConfig } from "../config/httpApi.js";
import type { Clock } from "../core/ports/common.js";
import { ChunkBufferPool } from "../core/upload/bufferPool.js";
import { cancelJob, type EngineDeps, resumeJob, step } from "../core/upload/engine.js";
import { DEFAULT_POLICY } from "../core/upload/policy.js";
import { GraphClient } from "../graph/client.js";
import { createNetworkPolicy } from "../sources/networkGuard.js";
import { createSourceOpener } from "../sources/opener.js";
import { lazySftpPool } from "../sources/sftp/lazyPool.js";
import { UrlSource } from "../sources/urlSource.js";
import type { Storage } from "../store/factory.js";
import type { StepEngine } from "./stepEngine.js";

export function createStepEngine(env: Env, storage: Storage, clock: Clock): StepEngine {
  const graph = parseGraphConfig(env);
  const tokens = createTokenProvider(parseAuthConfig(env), { graphRoot: graph.graphRoot });
  const policy = createNetworkPolicy(parseHttpApiConfig(env).urlAllowedNetworks);
  const deps: EngineDeps = {
    graph: new GraphClient({ baseUrl: graph.baseUrl, tokens, requestTimeoutMs: graph.requestTimeoutMs }),
    sources: createSourceOpener({
      blobContainer: (container) => storage.clients.blobService.getContainerClient(container),
      urlSource: (url) => new UrlSource(url, { policy, timeoutMs: graph.requestTimeoutMs }),
      requestTimeoutMs: graph.requestTimeoutMs,
      sftpPool: lazySftpPool(env),
    }),
    clock,
    random: Math.random,
    policy: DEFAULT_POLICY,
    // One pool per instance, as the CLI keeps one per process: a fresh chunk buffer per step left ~10 MiB of
    // garbage per invocation, and the collector ran a full mark-compact about every second step
    // (docs/pipeline.md "Performance"). It only ever holds buffers that steps of this instance used at once.
    buffers: new ChunkBufferPool(),
  };
  return {
    runStep: (job, signal) => step(job, deps, signal),
    cancelJob: (job, signal) => cancelJob(job, deps, signal),
    resume: resumeJob,
  };
}
