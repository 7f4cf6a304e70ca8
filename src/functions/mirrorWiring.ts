/**
 * The mirror's dependencies in a function app instance, from the shared runtime (src/functions/runtime.ts):
 * its settings and definitions, its Table stores on the job storage account, Graph for resolution and folder
 * creation, and the queue pipeline as the job sink. Built once per runtime, so the destination cache (TTL)
 * lives as long as the instance.
 */

import { randomUUID } from "node:crypto";
import type { InvocationContext } from "@azure/functions";
import { createTokenProvider } from "../auth/index.js";
import { parseAuthConfig } from "../config/auth.js";
import { parseGraphConfig } from "../config/graph.js";
import { parseHttpApiConfig } from "../config/httpApi.js";
import type { UploadJob } from "../core/job/job.js";
import type { HistoryStore, ManifestStore } from "../core/ports/mirror.js";
import { GraphHttp } from "../graph/http.js";
import type { MirrorDefinitions } from "../mirror/definitions.js";
import { GraphDriveDirectory } from "../mirror/graphDirectory.js";
import { recordMirrorJobEnd } from "../mirror/jobEnd.js";
import { listerFactory } from "../mirror/listers.js";
import { jsonLineLogger, type MirrorLogger } from "../mirror/mirrorLog.js";
import { QueueJobSink } from "../mirror/queueSink.js";
import { DestinationResolver } from "../mirror/resolver.js";
import type { MirrorPassDeps } from "../mirror/runner.js";
import { loadMirrorDefinitions, type MirrorSettings, parseMirrorSettings } from "../mirror/settings.js";
import { createMirrorStores } from "../mirror/storage.js";
import { createNetworkPolicy } from "../sources/networkGuard.js";
import { lazySftpPool } from "../sources/sftp/lazyPool.js";
import { UrlSource } from "../sources/urlSource.js";
import { type Runtime, runtime } from "./runtime.js";

export interface MirrorWiring {
  readonly settings: MirrorSettings;
  readonly manifest: ManifestStore;
  readonly history: HistoryStore;
  /** Definitions are re-read on every use: editing MIRRORS_FILE takes effect at the next pass. */
  definitions(): Promise<MirrorDefinitions>;
  passDeps(log: MirrorLogger): Promise<MirrorPassDeps>;
}

const built = new WeakMap<Runtime, Promise<MirrorWiring>>();

export function mirrorWiring(rt: Runtime = runtime()): Promise<MirrorWiring> {
  let wiring = built.get(rt);
  if (!wiring) {
    wiring = build(rt);
    built.set(rt, wiring);
    wiring.catch(() => built.delete(rt));
  }
  return wiring;
}

async function build(rt: Runtime): Promise<MirrorWiring> {
  const settings = parseMirrorSettings(rt.env);
  const stores = createMirrorStores(rt.storageConfig());
  await stores.ensureTables();
  const sftpPool = lazySftpPool(rt.env);
  let graphParts: { directory: GraphDriveDirectory; resolver: DestinationResolver } | undefined;
  const graph = () => {
    if (!graphParts) {
      const config = parseGraphConfig(rt.env);
      const tokens = createTokenProvider(parseAuthConfig(rt.env), { graphRoot: config.graphRoot });
      const http = new GraphHttp({
        baseUrl: config.baseUrl,
        tokens,
        requestTimeoutMs: config.requestTimeoutMs,
      });
      const directory = new GraphDriveDirectory(http);
      graphParts = {
        directory,
        resolver: new DestinationResolver(directory, rt.clock, settings.resolveTtlMs),
      };
    }
    return graphParts;
  };
  return {
    settings,
    manifest: stores.manifest,
    history: stores.history,
    definitions: () => loadMirrorDefinitions(settings),
    passDeps: async (log) => {
      const storage = await rt.storage();
      const config = parseGraphConfig(rt.env);
      const policy = createNetworkPolicy(parseHttpApiConfig(rt.env).urlAllowedNetworks);
      const { directory, resolver } = graph();
      return {
        clock: rt.clock,
        manifest: stores.manifest,
        history: stores.history,
        directory,
        resolver,
        newId: () => randomUUID(),
        jobSettings: { chunkSize: config.chunkSize, simpleUploadMax: config.simpleUploadMax },
        listerFor: listerFactory({
          allowedFileRoots: settings.allowedFileRoots,
          blobContainer: (name) => storage.clients.blobService.getContainerClient(name),
          openUrl: (url) => new UrlSource(url, { policy, timeoutMs: config.requestTimeoutMs }),
          sftpPool,
        }),
        jobs: new QueueJobSink(storage.jobs, storage.wakeQueue, rt.clock, storage.destinations),
        log,
      };
    },
  };
}

/** Log events through the invocation's context, one JSON object per line (Application Insights). */
export function mirrorContextLog(context: InvocationContext): MirrorLogger {
  return jsonLineLogger((line) => context.log(line));
}

/** Mirror passes name their requests `mirror-<name>-…` (runner.ts); the HTTP API's ids are UUIDs. */
export function isMirrorJob(job: UploadJob): boolean {
  return job.requestId.startsWith("mirror-");
}

/**
 * For the queue step function: call with every job that reached a terminal status. Records mirror jobs' ends
 * at once (manifest, history, log); jobs of the HTTP API are recorded by src/functions/jobEndHook.ts (src/api/jobHistory.ts).
 * Idempotent under duplicate deliveries.
 * Without this hook the next mirror pass records them instead (runner.ts settlePending).
 */
export async function onJobFinished(job: UploadJob, context: InvocationContext, rt: Runtime = runtime()) {
  if (!isMirrorJob(job)) return false;
  const wiring = await mirrorWiring(rt);
  return recordMirrorJobEnd(job, {
    manifest: wiring.manifest,
    history: wiring.history,
    log: mirrorContextLog(context),
  });
}
