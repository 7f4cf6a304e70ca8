/**
 * The HTTP API's dependencies (src/api/uploadHandlers.ts) on the composition root's pieces. The staging
 * container lives in the same storage account as the jobs (AzureWebJobsStorage), so the queue worker reads
 * staged bodies through the same blob client as any `blob` source.
 */
import { createDestinationCheck, type DestinationCheck } from "../api/destinationExists.js";
import type { UploadApiDeps } from "../api/uploadHandlers.js";
import { AuthError } from "../auth/errors.js";
import { requestCancel } from "../core/pipeline/cancelRequest.js";
import { BlobStagingArea } from "../sources/staging.js";
import type { CoreServices } from "./types.js";

export async function buildUploadApi(core: CoreServices): Promise<UploadApiDeps> {
  const { config, clock } = core;
  const api = config.httpApi;
  const storage = await core.storage();
  const staging = new BlobStagingArea(storage.clients.blobService.getContainerClient(api.stagingContainer), {
    maxBytes: api.stagingMaxBytes,
    timeoutMs: api.stagingTimeoutMs,
  });
  return {
    config: api,
    networkPolicy: core.networkPolicy,
    sftpKnownHosts: config.sftp.knownHosts,
    jobs: storage.jobs,
    wake: storage.wakeQueue,
    destinations: storage.destinations,
    staging,
    clock,
    chunkSize: config.graph.chunkSize,
    simpleUploadMax: config.graph.simpleUploadMax,
    cancel: (stored, cancelledBy) =>
      requestCancel(stored, { jobs: storage.jobs, wake: storage.wakeQueue, clock }, undefined, cancelledBy),
    ...destinationCheckFor(core),
  };
}

/**
 * The Graph lookup that refuses a missing drive, user, site or library at request time, with the credential
 * the worker uses (the same token provider). Without credentials there is nothing to ask with: requests go
 * through unchecked and the worker reports the auth problem on the job, as before.
 */
function destinationCheckFor(core: CoreServices): { destinationCheck?: DestinationCheck } {
  try {
    return { destinationCheck: createDestinationCheck({ http: core.graphHttp(), clock: core.clock }) };
  } catch (err: unknown) {
    if (err instanceof AuthError) return {};
    throw err;
  }
}
