/**
 * What an in-process mirror run needs, taken from the composition root (src/app/services.ts): the engine and
 * the directory on the one token provider, sources (files under ALLOWED_FILE_ROOTS, blobs when a storage
 * account is configured, https URLs behind the network guard, SFTP through the shared pool) and job sizes.
 * Used by `graph-mirror mirror`, `graph-mirror check --mirror` and the bundled sample.
 */

import { engineDeps, sourcesFor, urlOpener } from "../app/engine.js";
import type { CoreServices } from "../app/types.js";
import { assertSharingAllowed } from "../auth/sharingGate.js";
import type { DriveDirectory } from "../core/ports/mirror.js";
import type { EngineDeps } from "../core/upload/engine.js";
import { createStorageClients } from "../store/factory.js";
import { GraphDriveDirectory } from "./graphDirectory.js";
import type { ListerOptions } from "./listers.js";

export interface LocalWiring {
  readonly engine: EngineDeps;
  readonly directory: DriveDirectory;
  readonly sources: ListerOptions;
  readonly jobSettings: { readonly chunkSize: number; readonly simpleUploadMax: number };
}

export function localWiring(services: CoreServices, allowedFileRoots: readonly string[]): LocalWiring {
  const { graph, storage } = services.config;
  // Blob sources only when a storage account is configured; without one they fail with a clear message.
  const blobService = storage ? createStorageClients(storage).blobService : undefined;
  const blobContainer = blobService ? (name: string) => blobService.getContainerClient(name) : undefined;
  const sources = sourcesFor(services, blobContainer);
  return {
    engine: engineDeps(services, sources),
    directory: new GraphDriveDirectory(services.graphHttp(), (signal) =>
      assertSharingAllowed(services.tokens(), signal),
    ),
    // One pool for listing and reading: the mirror's listing and its uploads share the bounded connections.
    sources: {
      allowedFileRoots,
      openUrl: urlOpener(services),
      sftpPool: services.sftpPool,
      ...(blobContainer ? { blobContainer } : {}),
    },
    jobSettings: { chunkSize: graph.chunkSize, simpleUploadMax: graph.simpleUploadMax },
  };
}
