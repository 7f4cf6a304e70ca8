/**
 * Include and exclude globs over source-relative paths (`/`-separated, no leading `/`). A file is mirrored when
 * it matches at least one include and no exclude. `dot: true` so `**` also matches dot files: a mirror copies
 * what is there unless told otherwise.
 */
import picomatch from "picomatch";

export type PathFilter = (relativePath: string) => boolean;

export function globFilter(include: readonly string[], exclude: readonly string[]): PathFilter {
  const options = { dot: true };
  const included = picomatch([...include], options);
  const excluded = exclude.length > 0 ? picomatch([...exclude], options) : () => false;
  return (relativePath) => included(relativePath) && !excluded(relativePath);
}
