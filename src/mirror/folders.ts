/**
 * Creates missing destination folders before jobs are submitted (issue 6), one folder at a time from the
 * deepest existing one. Known folders are remembered for the rest of the pass, so many files in one folder cost
 * one lookup. Only planned uploads reach here: an unchanged pass makes no Graph calls at all.
 */
import { GraphFailure } from "../core/ports/graphFailure.js";
import type { DriveDirectory } from "../core/ports/mirror.js";

export class FolderEnsurer {
  private readonly known = new Set<string>();

  constructor(private readonly directory: DriveDirectory) {}

  /** `folder` is a path inside the drive (`/a/b` or `/a/b/`); `/` always exists. */
  async ensure(driveId: string, folder: string, signal: AbortSignal): Promise<void> {
    const segments = folder.split("/").filter((s) => s !== "");
    if (segments.length === 0) return;
    const path = `/${segments.join("/")}`;
    // Names are case-insensitive in SharePoint and OneDrive (docs/graph-protocol.md).
    const key = `${driveId}|${path.toLowerCase()}`;
    if (this.known.has(key)) return;
    const existing = await this.directory.getItemByPath(driveId, path, signal);
    if (!existing) {
      const parent = `/${segments.slice(0, -1).join("/")}`;
      await this.ensure(driveId, parent, signal);
      try {
        await this.directory.createFolder(driveId, parent, segments[segments.length - 1] ?? "", signal);
      } catch (err: unknown) {
        // 409 nameAlreadyExists: another run created it meanwhile, which is what we wanted.
        if (!(err instanceof GraphFailure && err.status === 409)) throw err;
      }
    } else if (!existing.isFolder) {
      throw new GraphFailure({
        kind: "http",
        status: 409,
        codes: ["nameAlreadyExists"],
        message: `${path} exists at the destination as a file, so it cannot be used as a folder`,
      });
    }
    this.known.add(key);
  }
}
