/**
 * The mirror's dependencies on the composition root's pieces: its settings (parsed with the rest of the
 * configuration), its Table stores on the job storage account, Graph for resolution and folder creation (the
 * one token provider), and the queue pipeline as the job sink. Built once per services, so the destination
 * cache (MIRROR_RESOLVE_TTL) lives as long as the instance.
 */
import { randomUUID } from "node:crypto";
import { assertSharingAllowed } from "../auth/sharingGate.js";
import type { HistoryStore, ManifestStore } from "../core/ports/mirror.js";
import type { MirrorDefinitions } from "../mirror/definitions.js";
import { GraphDriveDirectory } from "../mirror/graphDirectory.js";
import { listerFactory } from "../mirror/listers.js";
import type { MirrorLogger } from "../mirror/mirrorLog.js";
import { QueueJobSink } from "../mirror/queueSink.js";
import { DestinationResolver } from "../mirror/resolver.js";
import type { MirrorPassDeps } from "../mirror/runner.js";
import { loadMirrorDefinitions, type MirrorSettings } from "../mirror/settings.js";
import { urlOpener } from "./engine.js";
import { lazy } from "./lazy.js";
import type { CoreServices } from "./types.js";

export interface MirrorWiring {
  readonly settings: MirrorSettings;
  readonly manifest: ManifestStore;
  readonly history: HistoryStore;
  /** Definitions are re-read on every use: editing MIRRORS_FILE takes effect at the next pass. */
  definitions(): Promise<MirrorDefinitions>;
  passDeps(log: MirrorLogger): Promise<MirrorPassDeps>;
}

export async function buildMirrorWiring(core: CoreServices): Promise<MirrorWiring> {
  const settings = core.config.mirror;
  const stores = await core.mirrorStores();
  // Graph only when a pass runs: GET /api/mirrors and /api/stats read tables, not Graph.
  const graph = lazy(() => {
    const directory = new GraphDriveDirectory(core.graphHttp(), (signal) =>
      assertSharingAllowed(core.tokens(), signal),
    );
    return { directory, resolver: new DestinationResolver(directory, core.clock, settings.resolveTtlMs) };
  });
  const { chunkSize, simpleUploadMax } = core.config.graph;
  return {
    settings,
    manifest: stores.manifest,
    history: stores.history,
    definitions: () => loadMirrorDefinitions(settings),
    passDeps: async (log) => {
      const storage = await core.storage();
      const { directory, resolver } = graph();
      return {
        clock: core.clock,
        manifest: stores.manifest,
        history: stores.history,
        directory,
        resolver,
        newId: () => randomUUID(),
        jobSettings: { chunkSize, simpleUploadMax },
        listerFor: listerFactory({
          allowedFileRoots: settings.allowedFileRoots,
          blobContainer: (name) => storage.clients.blobService.getContainerClient(name),
          openUrl: urlOpener(core),
          sftpPool: core.sftpPool,
        }),
        jobs: new QueueJobSink(storage.jobs, storage.wakeQueue, core.clock, storage.destinations),
        log,
      };
    },
  };
}
