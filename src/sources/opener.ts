/**
 * Maps a job's SourceRef to a ByteSource. `url` sources are added by the HTTPS-source work (docs/design.md layout
 * "sources/ ... HTTPS URL"): register them through `urlSource` when that module lands.
 */
import type { ContainerClient } from "@azure/storage-blob";
import type { SourceRef } from "../core/job/job.js";
import type { ByteSource } from "../core/ports/common.js";
import type { SourceOpener } from "../core/ports/sources.js";
import { ConfigError } from "../core/shared/validationError.js";
import { BlobSource } from "./blob.js";
import { LocalFileSource } from "./localFile.js";
import type { SftpPool } from "./sftp/pool.js";
import { SftpSource } from "./sftp/sftpSource.js";

export interface SourceOpenerOptions {
  /** Resolves a container name for `blob` sources; absent when no storage account is configured. */
  readonly blobContainer?: (container: string) => ContainerClient;
  /** Opens `url` sources (the extension point for the HTTPS URL source). */
  readonly urlSource?: (url: string) => ByteSource;
  /**
   * Shared connections for `sftp` sources, opened on first use (the settings were checked at start,
   * src/config/index.ts); absent when this process has no SFTP wiring.
   */
  readonly sftpPool?: () => SftpPool;
  /** Deadline for each source request (blob range reads). */
  readonly requestTimeoutMs: number;
}

export function createSourceOpener(options: SourceOpenerOptions): SourceOpener {
  return {
    open(ref: SourceRef): ByteSource {
      switch (ref.type) {
        case "file":
          return new LocalFileSource(ref.path);
        case "blob":
          if (!options.blobContainer) {
            throw notSupported("blob", "no Azure Storage account is configured for blob sources");
          }
          return new BlobSource(options.blobContainer(ref.container), ref.blob, options.requestTimeoutMs);
        case "url":
          if (!options.urlSource) throw notSupported("url", "URL sources are not supported by this build");
          return options.urlSource(ref.url);
        case "sftp":
          if (!options.sftpPool)
            throw notSupported("sftp", "SFTP sources are not configured in this process");
          return new SftpSource(ref, options.sftpPool());
      }
    },
  };
}

function notSupported(type: string, rule: string): ConfigError {
  return new ConfigError([{ field: `source.type (${type})`, rule }], "source");
}
