/**
 * Which local files `graph-mirror upload` sends, and where: the files named, or with `--recursive` every
 * regular file under a named folder (filtered by `--include`/`--exclude` globs on the path relative to that
 * folder, as in mirror definitions), each kept at its relative path under the destination folder.
 * Everything is checked before any network call; problems name the argument and the rule.
 */
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import picomatch from "picomatch";
import { type DestinationSpec, destinationFor } from "../core/job/destinations.js";
import type { Destination } from "../core/job/job.js";
import { pathProblems } from "../core/shared/names.js";
import type { FieldProblem } from "../core/shared/validationError.js";
import { ConfigError } from "../core/shared/validationError.js";

export interface PlannedFile {
  /** As shown to the user: the argument, or the folder argument joined with the relative path. */
  readonly file: string;
  readonly absolute: string;
  readonly destination: Destination;
  readonly size: number;
}

export interface PlanOptions {
  readonly recursive: boolean;
  readonly include: readonly string[];
  readonly exclude: readonly string[];
}

export async function planUploads(
  args: readonly string[],
  spec: DestinationSpec,
  options: PlanOptions,
): Promise<PlannedFile[]> {
  const problems: FieldProblem[] = [];
  const planned: PlannedFile[] = [];
  const included = picomatch(options.include.length > 0 ? [...options.include] : ["**"], { dot: true });
  const excluded = options.exclude.length > 0 ? picomatch([...options.exclude], { dot: true }) : () => false;
  const add = (file: string, absolute: string, relative: string, size: number) => {
    const destination = destinationFor(spec, relative);
    for (const rule of pathProblems(destination.path)) problems.push({ field: `--to (${file})`, rule });
    planned.push({ file, absolute, destination, size });
  };
  for (const arg of args) {
    const absolute = path.resolve(arg);
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(absolute);
    } catch {
      problems.push({ field: arg, rule: "does not exist or cannot be read" });
      continue;
    }
    if (info.isDirectory()) {
      if (!options.recursive) {
        problems.push({ field: arg, rule: "is a folder: add --recursive to upload the files under it" });
        continue;
      }
      if (!spec.intoFolder) {
        problems.push({ field: "--to", rule: "with --recursive the path must end with / (a folder)" });
        continue;
      }
      for (const relative of await filesUnder(absolute)) {
        if (!included(relative) || excluded(relative)) continue;
        const full = path.join(absolute, relative);
        add(path.join(arg, relative), full, relative, (await stat(full)).size);
      }
    } else if (!info.isFile()) problems.push({ field: arg, rule: "is not a regular file" });
    else add(arg, absolute, path.basename(absolute), info.size);
  }
  if (problems.length > 0) throw new ConfigError(problems, "arguments");
  if (planned.length === 0)
    throw new ConfigError([{ field: "--include/--exclude", rule: "no file matched" }], "arguments");
  return planned;
}

/** Regular files under `root`, as `/`-separated relative paths, sorted (symbolic links are not followed). */
async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join("/"))
    .sort();
}
