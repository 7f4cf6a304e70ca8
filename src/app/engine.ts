/**
 * The upload engine (src/core/upload/engine.ts) on the composition root's pieces: the one Graph client, the
 * sources (blobs and staged HTTP bodies through the job storage account, URLs behind the HTTP API's network
 * guard, SFTP through the shared pool) and one chunk buffer pool per instance.
 */
import type { ContainerClient } from "@azure/storage-blob";
import type { SourceOpener } from "../core/ports/sources.js";
import { ChunkBufferPool } from "../core/upload/bufferPool.js";
import { DEFAULT_CHUNK_SIZING } from "../core/upload/chunkSizing.js";
import { cancelJob, type EngineDeps, resumeJob, step } from "../core/upload/engine.js";
import { DEFAULT_POLICY } from "../core/upload/policy.js";
import { createSourceOpener } from "../sources/opener.js";
import { UrlSource } from "../sources/urlSource.js";
import type { StepEngine } from "./stepEngine.js";
import type { CoreServices } from "./types.js";

/** Opens a `url` source behind the network guard, with the Graph request deadline. */
export function urlOpener(core: CoreServices): (url: string) => UrlSource {
  const timeoutMs = core.config.graph.requestTimeoutMs;
  return (url) => new UrlSource(url, { policy: core.networkPolicy, timeoutMs });
}

/** Every source kind; `blob` only when a container resolver is given (a storage account is configured). */
export function sourcesFor(
  core: CoreServices,
  blobContainer: ((name: string) => ContainerClient) | undefined,
): SourceOpener {
  return createSourceOpener({
    urlSource: urlOpener(core),
    requestTimeoutMs: core.config.graph.requestTimeoutMs,
    sftpPool: core.sftpPool,
    ...(blobContainer ? { blobContainer } : {}),
  });
}

/**
 * The engine on the one Graph client, with one chunk buffer pool (which also holds the read-ahead: docs/upload.md
 * "Overlap"); `extra` sets what differs per driver (the policy). Each driver builds this once per process.
 */
export function engineDeps(
  core: CoreServices,
  sources: SourceOpener,
  extra: Partial<EngineDeps> = {},
): EngineDeps {
  return {
    graph: core.graphClient(),
    sources,
    clock: core.clock,
    random: Math.random,
    // A link-sized fragment must fit well inside the request deadline actually configured, not its default.
    policy: {
      ...DEFAULT_POLICY,
      chunkSizing: { ...DEFAULT_CHUNK_SIZING, deadlineMs: core.config.graph.requestTimeoutMs },
    },
    // A fresh chunk buffer per step left ~10 MiB of garbage per step, and the collector ran a full mark-compact
    // about every second step (docs/pipeline.md "Performance"); the pool only holds buffers steps used at once.
    buffers: new ChunkBufferPool(),
    ...extra,
  };
}

/** The queue worker's engine: blob sources read through the same storage account as the jobs. */
export async function createStepEngine(core: CoreServices): Promise<StepEngine> {
  const storage = await core.storage();
  const sources = sourcesFor(core, (container) => storage.clients.blobService.getContainerClient(container));
  const deps = engineDeps(core, sources);
  return {
    runStep: (job, signal) => step(job, deps, signal),
    cancelJob: (job, signal) => cancelJob(job, deps, signal),
    resume: resumeJob,
  };
}
