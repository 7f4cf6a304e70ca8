/**
 * Decides whether a `file` source named in an HTTP request may be read: only regular files under a root listed in
 * ALLOWED_FILE_ROOTS (none by default), judged on the real path, so neither `..` nor a symlink can lead out of a
 * root (issue 4). The caller keeps the real path as the job's source, so the job reads what was checked.
 */
import { realpath, stat } from "node:fs/promises";
import path from "node:path";

export type FileRefusal =
  | "not-absolute"
  | "no-roots"
  | "outside-roots"
  | "not-found"
  | "not-a-file"
  | "symlink-escape";

export class FileRefusedError extends Error {
  constructor(readonly reason: FileRefusal) {
    super(FILE_RULES[reason]);
    this.name = "FileRefusedError";
  }
}

/** The rule each refusal broke, worded for the `rule` of a 400 answer (never echoing the path itself). */
export const FILE_RULES: Readonly<Record<FileRefusal, string>> = {
  "not-absolute": "must be an absolute path",
  "no-roots": "file sources are disabled: ALLOWED_FILE_ROOTS lists no roots",
  "outside-roots": "must lie under one of the roots in ALLOWED_FILE_ROOTS",
  "not-found": "must name an existing file",
  "not-a-file": "must name a regular file (not a directory or device)",
  "symlink-escape": "must not resolve (through symlinks) to a place outside the roots in ALLOWED_FILE_ROOTS",
};

function isInside(child: string, root: string): boolean {
  const relative = path.relative(root, child);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

/** Returns the real path of an allowed file, or throws FileRefusedError. */
export async function checkFileSource(requested: string, roots: readonly string[]): Promise<string> {
  if (!path.isAbsolute(requested)) throw new FileRefusedError("not-absolute");
  if (roots.length === 0) throw new FileRefusedError("no-roots");
  const lexical = path.resolve(requested);
  if (!roots.some((root) => isInside(lexical, path.resolve(root))))
    throw new FileRefusedError("outside-roots");

  let real: string;
  try {
    real = await realpath(lexical);
  } catch {
    throw new FileRefusedError("not-found");
  }
  const realRoots = await Promise.all(roots.map((root) => realpath(root).catch(() => undefined)));
  if (!realRoots.some((root) => root !== undefined && isInside(real, root)))
    throw new FileRefusedError("symlink-escape");

  const info = await stat(real);
  if (!info.isFile()) throw new FileRefusedError("not-a-file");
  return real;
}
