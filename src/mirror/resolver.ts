/**
 * Resolves mirror destinations to drives, with a TTL cache (issue 6), on top of the engine's resolver
 * (src/graph/resolve.ts: site by URL, never site search, so `Sites.Selected` works). Failures are not cached and
 * become DestinationError with a message a person can act on: which site, library or user, which libraries
 * exist, which permission or site grant is missing.
 */

import type { Destination } from "../core/job/job.js";
import type { Clock } from "../core/ports/common.js";
import { GraphFailure } from "../core/ports/graphFailure.js";
import type { DriveDirectory } from "../core/ports/mirror.js";
import type { MirrorDestination } from "./definitionSchema.js";
import { destinationKey, destinationLabel, folderOf, siteUrl } from "./destinationKey.js";

export type DestinationErrorCode =
  | "site-not-found"
  | "library-not-found"
  | "user-not-found"
  | "access-denied"
  | "graph-error";

export class DestinationError extends Error {
  constructor(
    readonly code: DestinationErrorCode,
    message: string,
    readonly httpStatus?: number,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = "DestinationError";
  }
}

export interface ResolvedDestination {
  /** Stable key of the destination (manifest partition). */
  readonly key: string;
  /** Human-readable form, for history, logs and the CLI. */
  readonly label: string;
  readonly driveId: string;
  /** The destination folder inside the drive: starts and ends with `/`. */
  readonly folder: string;
  /** Decoded server-relative path of the drive root, when known (for the 400-character rule). */
  readonly rootPath?: string;
}

interface CacheEntry {
  readonly driveId: string;
  readonly rootPath?: string;
  readonly expiresAt: number;
}

export class DestinationResolver {
  private readonly cache = new Map<string, CacheEntry>();

  constructor(
    private readonly directory: DriveDirectory,
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  async resolve(destination: MirrorDestination, signal: AbortSignal): Promise<ResolvedDestination> {
    const base = {
      key: destinationKey(destination),
      label: destinationLabel(destination),
      folder: folderOf(destination),
    };
    if (destination.type === "drive") return { ...base, driveId: destination.driveId };
    const cacheKey = driveCacheKey(destination);
    const now = this.clock.now();
    const cached = this.cache.get(cacheKey);
    if (cached && cached.expiresAt > now) {
      return { ...base, driveId: cached.driveId, ...(cached.rootPath ? { rootPath: cached.rootPath } : {}) };
    }
    let drive: { driveId: string; rootPath?: string };
    try {
      drive = await this.directory.resolveDrive(asEngineDestination(destination), signal);
    } catch (err: unknown) {
      throw explain(err, destination);
    }
    this.cache.set(cacheKey, { ...drive, expiresAt: now + this.ttlMs });
    return { ...base, ...drive };
  }
}

function driveCacheKey(destination: MirrorDestination): string {
  switch (destination.type) {
    case "drive":
      return `drive|${destination.driveId}`;
    case "onedrive":
      return `onedrive|${destination.user.toLowerCase()}`;
    case "sharepoint":
      return `sharepoint|${siteUrl(destination.site).toLowerCase()}|${destination.library.toLowerCase()}`;
  }
}

/** The engine resolves drives, not folders: the path is irrelevant here. */
function asEngineDestination(destination: MirrorDestination): Destination {
  switch (destination.type) {
    case "drive":
      return { type: "drive", driveId: destination.driveId, path: "/" };
    case "onedrive":
      return { type: "onedrive", user: destination.user, path: "/" };
    case "sharepoint":
      return { type: "sharepoint", site: siteUrl(destination.site), library: destination.library, path: "/" };
  }
}

function explain(err: unknown, destination: MirrorDestination): DestinationError {
  if (!(err instanceof GraphFailure)) {
    const message = err instanceof Error ? err.message : String(err);
    return new DestinationError("graph-error", `${destinationLabel(destination)}: ${message}`);
  }
  const evidence = `HTTP ${err.status ?? "?"}${err.requestId ? `, request-id ${err.requestId}` : ""}`;
  const fail = (code: DestinationErrorCode, message: string) =>
    new DestinationError(code, `${message} (${evidence})`, err.status, err.requestId);
  const site = destination.type === "sharepoint" ? siteUrl(destination.site) : "";
  if (err.status === 403 || err.status === 401) {
    switch (destination.type) {
      case "sharepoint":
        return fail(
          "access-denied",
          `access denied to site ${site}: the app needs the Sites.Selected application permission and a ` +
            `"write" grant on this site (POST /sites/{site-id}/permissions), or Sites.ReadWrite.All`,
        );
      case "onedrive":
        return fail(
          "access-denied",
          `access denied to the OneDrive of ${destination.user}: the app needs the Files.ReadWrite.All ` +
            "application permission (or Sites.Selected with a write grant on that user's OneDrive site)",
        );
      case "drive":
        return fail(
          "access-denied",
          `access denied to drive ${destination.driveId}: the app needs Files.ReadWrite.All, or ` +
            "Sites.Selected with a write grant on the site that holds the drive",
        );
    }
  }
  if (err.status === 404) {
    if (err.codes.includes("libraryNotFound")) return fail("library-not-found", err.message);
    if (destination.type === "sharepoint") {
      return fail(
        "site-not-found",
        `site not found: ${site} (looked up by URL with GET /sites/{hostname}:/{path}; check the host name ` +
          "and the site path)",
      );
    }
    if (destination.type === "onedrive") {
      return fail("user-not-found", `user ${destination.user} not found, or has no OneDrive provisioned`);
    }
  }
  return fail("graph-error", `${destinationLabel(destination)}: ${err.message}`);
}
