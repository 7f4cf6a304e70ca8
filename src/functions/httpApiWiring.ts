/**
 * Builds the HTTP API's dependencies from the instance runtime (src/functions/runtime.ts), once per instance.
 * The staging container lives in the same storage account as the jobs (AzureWebJobsStorage), so the queue
 * worker reads staged bodies through the same blob client as any `blob` source.
 */

import { createDestinationCheck, type DestinationCheck } from "../api/destinationExists.js";
import type { UploadApiDeps } from "../api/uploadHandlers.js";
import { AuthError } from "../auth/errors.js";
import { createTokenProvider } from "../auth/index.js";
import { parseAuthConfig } from "../config/auth.js";
import { parseGraphConfig } from "../config/graph.js";
import { parseHttpApiConfig } from "../config/httpApi.js";
import { parseSftpConfig } from "../config/sftp.js";
import { requestCancel } from "../core/pipeline/cancelRequest.js";
import { ConfigError } from "../core/shared/validationError.js";
import { GraphHttp } from "../graph/http.js";
import { createNetworkPolicy } from "../sources/networkGuard.js";
import { BlobStagingArea } from "../sources/staging.js";
import { type Runtime, runtime } from "./runtime.js";

const built = new WeakMap<Runtime, Promise<UploadApiDeps>>();

export function uploadApiDeps(rt: Runtime = runtime()): Promise<UploadApiDeps> {
  let deps = built.get(rt);
  if (!deps) {
    deps = buildDeps(rt);
    built.set(rt, deps);
    deps.catch(() => built.delete(rt));
  }
  return deps;
}

async function buildDeps(rt: Runtime): Promise<UploadApiDeps> {
  const config = parseHttpApiConfig(rt.env);
  const graph = parseGraphConfig(rt.env);
  const storage = await rt.storage();
  const staging = new BlobStagingArea(
    storage.clients.blobService.getContainerClient(config.stagingContainer),
    {
      maxBytes: config.stagingMaxBytes,
      timeoutMs: config.stagingTimeoutMs,
    },
  );
  return {
    config,
    networkPolicy: createNetworkPolicy(config.urlAllowedNetworks),
    sftpKnownHosts: parseSftpConfig(rt.env).knownHosts,
    jobs: storage.jobs,
    wake: storage.wakeQueue,
    destinations: storage.destinations,
    staging,
    clock: rt.clock,
    chunkSize: graph.chunkSize,
    simpleUploadMax: graph.simpleUploadMax,
    cancel: (stored, cancelledBy) =>
      requestCancel(
        stored,
        { jobs: storage.jobs, wake: storage.wakeQueue, clock: rt.clock },
        undefined,
        cancelledBy,
      ),
    ...destinationCheckFor(rt),
  };
}

/**
 * The Graph lookup that refuses a missing drive, user, site or library at request time, with the credential
 * the worker uses. Without usable auth settings there is nothing to ask with: requests go through unchecked
 * and the worker reports the auth problem on the job, as before.
 */
function destinationCheckFor(rt: Runtime): { destinationCheck?: DestinationCheck } {
  try {
    const graph = parseGraphConfig(rt.env);
    const tokens = createTokenProvider(parseAuthConfig(rt.env), { graphRoot: graph.graphRoot });
    const http = new GraphHttp({ baseUrl: graph.baseUrl, tokens, requestTimeoutMs: graph.requestTimeoutMs });
    return { destinationCheck: createDestinationCheck({ http, clock: rt.clock }) };
  } catch (err: unknown) {
    if (err instanceof ConfigError || err instanceof AuthError) return {};
    throw err;
  }
}
