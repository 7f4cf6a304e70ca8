/**
 * Lists a `file` source: every regular file under a directory that lies inside ALLOWED_FILE_ROOTS. Judged on
 * real paths (issue 4): a symlink, file or directory, is followed only when its target is inside a root too, so
 * neither `..` nor a link can lead out. Each entry's reference is the real path, so the job reads what was checked.
 */
import { lstat, opendir, realpath, stat } from "node:fs/promises";
import path from "node:path";
import type { SourceEntry, SourceLister, SourceListing } from "../../core/ports/mirror.js";
import { isInside } from "../definitions.js";
import { fileFingerprint } from "./fileFingerprint.js";

export class FileSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FileSourceError";
  }
}

export class FileLister implements SourceLister {
  readonly description: string;

  constructor(
    private readonly directory: string,
    private readonly allowedRoots: readonly string[],
    private readonly accept: (relativePath: string) => boolean = () => true,
  ) {
    this.description = `file:${directory}`;
  }

  async list(signal: AbortSignal): Promise<SourceListing> {
    const realRoots = (
      await Promise.all(this.allowedRoots.map((r) => realpath(r).catch(() => undefined)))
    ).filter((r): r is string => r !== undefined);
    let realDir: string;
    try {
      realDir = await realpath(this.directory);
    } catch {
      throw new FileSourceError(`source directory ${this.directory} does not exist or cannot be read`);
    }
    if (!realRoots.some((root) => isInside(root, realDir))) {
      throw new FileSourceError(
        `source directory ${this.directory} resolves (through symlinks) outside ALLOWED_FILE_ROOTS`,
      );
    }
    const entries: SourceEntry[] = [];
    const visited = new Set<string>([realDir]);
    const walk = async (realPath: string, relative: string): Promise<void> => {
      signal.throwIfAborted();
      for await (const dirent of await opendir(realPath)) {
        const childRelative = relative ? `${relative}/${dirent.name}` : dirent.name;
        let childReal = path.join(realPath, dirent.name);
        if (dirent.isSymbolicLink()) {
          const target = await realpath(childReal).catch(() => undefined);
          // A dangling link or one pointing outside every root is not part of the source.
          if (target === undefined || !realRoots.some((root) => isInside(root, target))) continue;
          childReal = target;
        }
        const info = dirent.isSymbolicLink() ? await lstat(childReal) : dirent;
        if (info.isDirectory()) {
          // Links can form cycles: walk each real directory once.
          if (visited.has(childReal)) continue;
          visited.add(childReal);
          await walk(childReal, childRelative);
        } else if (info.isFile() && this.accept(childRelative)) {
          entries.push({
            path: childRelative,
            ref: { type: "file", path: childReal },
            fingerprint: fileFingerprint(await stat(childReal)),
          });
        }
      }
    };
    await walk(realDir, "");
    entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return { entries, errors: [] };
  }
}
