/** Picks the source lister for a mirror definition, with its include and exclude globs applied. */
import type { ContainerClient } from "@azure/storage-blob";
import type { ByteSource } from "../core/ports/common.js";
import type { SourceLister } from "../core/ports/mirror.js";
import type { SftpPool } from "../sources/sftp/pool.js";
import type { MirrorDefinition } from "./definitionSchema.js";
import { globFilter } from "./globFilter.js";
import { BlobLister } from "./sources/blobLister.js";
import { FileLister } from "./sources/fileLister.js";
import { SftpLister } from "./sources/sftpLister.js";
import { UrlLister } from "./sources/urlLister.js";

export interface ListerOptions {
  readonly allowedFileRoots: readonly string[];
  /** Absent when no storage account is configured: blob sources then fail with a clear message. */
  readonly blobContainer?: (container: string) => ContainerClient;
  /** Absent when URL sources are not available in this process. */
  readonly openUrl?: (url: string) => ByteSource;
  /** Shared SFTP connections; absent when this process has no SFTP settings. */
  readonly sftpPool?: () => SftpPool;
}

export function listerFactory(options: ListerOptions): (mirror: MirrorDefinition) => SourceLister {
  return (mirror) => {
    const accept = globFilter(mirror.include, mirror.exclude);
    const { source } = mirror;
    switch (source.type) {
      case "file":
        return new FileLister(source.path, options.allowedFileRoots, accept);
      case "blob":
        if (!options.blobContainer)
          return unavailable(`blob:${source.container}`, "no storage account is configured");
        return new BlobLister(options.blobContainer(source.container), source.prefix, accept);
      case "url": {
        if (!options.openUrl) return unavailable("url", "URL sources are not available here");
        const items = source.urls.map((u) => (typeof u === "string" ? { url: u } : u));
        return new UrlLister(items, options.openUrl, accept);
      }
      case "sftp": {
        const endpoint = { host: source.host, port: source.port, username: source.username };
        if (!options.sftpPool)
          return unavailable(`sftp:${source.host}`, "SFTP sources are not available here");
        return new SftpLister(endpoint, source.path, options.sftpPool(), accept);
      }
    }
  };
}

function unavailable(description: string, reason: string): SourceLister {
  return {
    description,
    list: async () => {
      throw new Error(reason);
    },
  };
}
