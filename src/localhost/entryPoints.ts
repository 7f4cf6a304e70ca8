/**
 * The files the Functions host loads: package.json `main`, a path or a glob such as
 * `dist/src/{index.js,functions/*.js}` (Microsoft docs, "Azure Functions Node.js developer guide",
 * "Registering a function"). Braces and `*` within the last path segment are supported, as the host's use.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import picomatch from "picomatch";

export async function entryPoints(appDir: string): Promise<string[]> {
  const pkg = JSON.parse(await readFile(path.join(appDir, "package.json"), "utf8")) as { main?: unknown };
  if (typeof pkg.main !== "string" || !pkg.main) throw new Error(`${appDir}/package.json has no "main"`);
  const files = new Set<string>();
  for (const pattern of expandBraces(pkg.main)) {
    const full = path.resolve(appDir, pattern);
    const dir = path.dirname(full);
    const base = path.basename(full);
    if (!picomatch.scan(base).isGlob) {
      files.add(full);
      continue;
    }
    const isMatch = picomatch(base);
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names.sort()) if (isMatch(name)) files.add(path.join(dir, name));
  }
  if (files.size === 0)
    throw new Error(`package.json "main" (${pkg.main}) matches no files: run npm run build`);
  return [...files];
}

export function expandBraces(pattern: string): string[] {
  const match = /\{([^{}]*)\}/.exec(pattern);
  if (!match) return [pattern];
  const before = pattern.slice(0, match.index);
  const after = pattern.slice(match.index + match[0].length);
  return (match[1] ?? "").split(",").flatMap((choice) => expandBraces(`${before}${choice}${after}`));
}
