/**
 * A destination string of the CLI (`drive:`, `onedrive:`, `sharepoint:`; src/core/job/destinations.ts) turned into
 * a drive id and a path inside it, for the read commands. Resolution is the engine's own (src/graph/resolve.ts),
 * so a destination that `upload` accepts lists and checks the same place.
 */

import { destinationFor, parseDestination } from "../core/job/destinations.js";
import type { Destination } from "../core/job/job.js";
import { ConfigError } from "../core/shared/validationError.js";
import type { GraphHttp } from "../graph/http.js";
import { resolveDrive } from "../graph/resolve.js";

export interface RemoteFolder {
  readonly driveId: string;
  /** Inside the drive, starting with `/`. */
  readonly path: string;
}

/** Parses a destination string; problems name `field` (the argument as the command calls it). */
export function parseRemoteDestination(text: string, field: string): Destination {
  try {
    const spec = parseDestination(text);
    return destinationFor({ ...spec, intoFolder: false }, "");
  } catch (err: unknown) {
    if (!(err instanceof ConfigError)) throw err;
    throw new ConfigError(
      err.problems.map((p) => ({ ...p, field })),
      "destination",
    );
  }
}

export async function resolveRemoteFolder(
  http: GraphHttp,
  destination: Destination,
  signal?: AbortSignal,
): Promise<RemoteFolder> {
  const drive = await resolveDrive(http, destination, signal);
  return { driveId: drive.driveId, path: destination.path };
}

/** For messages: the destination as the user wrote its kind, with the path. */
export function describeDestination(destination: Destination): string {
  switch (destination.type) {
    case "drive":
      return `drive:${destination.driveId}:${destination.path}`;
    case "onedrive":
      return `onedrive:${destination.user}:${destination.path}`;
    case "sharepoint":
      return `sharepoint:${destination.site}:${destination.library}:${destination.path}`;
  }
}
