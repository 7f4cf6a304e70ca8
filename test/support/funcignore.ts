/**
 * What `.funcignore` lets through to Azure: its gitignore-style patterns applied to the files git tracks. The
 * subset of gitignore the file uses: `#` comments, `!` negation (the last matching pattern wins), a trailing
 * `/` for folders only, a pattern with a `/` before its end anchored at the root, any other pattern matched
 * against each path segment. A file inside an excluded folder is excluded, as in git.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import picomatch from "picomatch";

interface Pattern {
  readonly negated: boolean;
  readonly folderOnly: boolean;
  readonly anchored: boolean;
  readonly match: (candidate: string) => boolean;
}

export function parseFuncignore(text: string): Pattern[] {
  const patterns: Pattern[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const negated = line.startsWith("!");
    if (negated) line = line.slice(1);
    const folderOnly = line.endsWith("/");
    if (folderOnly) line = line.slice(0, -1);
    const anchored = line.includes("/");
    if (line.startsWith("/")) line = line.slice(1);
    patterns.push({ negated, folderOnly, anchored, match: picomatch(line, { dot: true }) });
  }
  return patterns;
}

/** Whether `.funcignore` leaves out the tracked file `file` (a path relative to the root, with `/`). */
export function isIgnored(patterns: readonly Pattern[], file: string): boolean {
  const parts = file.split("/");
  for (let depth = 1; depth <= parts.length; depth++) {
    const candidate = parts.slice(0, depth).join("/");
    const isFolder = depth < parts.length;
    let ignored = false;
    for (const pattern of patterns) {
      if (pattern.folderOnly && !isFolder) continue;
      const subject = pattern.anchored ? candidate : (parts[depth - 1] ?? "");
      if (pattern.match(subject)) ignored = !pattern.negated;
    }
    if (ignored) return true;
  }
  return false;
}

export const REPO_ROOT = path.resolve(import.meta.dirname, "../..");

/** The tracked files the deployment would upload, relative to the repository root. */
export function shippedFiles(root = REPO_ROOT): string[] {
  const patterns = parseFuncignore(readFileSync(path.join(root, ".funcignore"), "utf8"));
  const tracked = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: root,
    encoding: "utf8",
  })
    .split("\0")
    .filter(Boolean);
  return tracked.filter((file) => !isIgnored(patterns, file));
}
