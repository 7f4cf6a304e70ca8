/**
 * The functions the app registers, collected the way the Functions host and the local host see them: a virtual
 * `@azure/functions-core` (src/localhost/virtualCore.ts) is installed, then every entry point named by
 * package.json `main` is imported, with dist/src/*.js mapped back to the TypeScript sources, so a function file
 * that src/index.ts forgets to import is still found, as the host's glob would find it.
 *
 * Registration is process-wide: call this once per test file (vitest runs each file in its own process here).
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import picomatch from "picomatch";
import type { BindingInfo } from "../../src/localhost/coreTypes.js";
import { expandBraces } from "../../src/localhost/entryPoints.js";
import { installVirtualCore } from "../../src/localhost/virtualCore.js";

export interface RegisteredFunction {
  readonly name: string;
  readonly trigger: BindingInfo;
  readonly bindings: readonly BindingInfo[];
}

const ROOT = path.resolve(import.meta.dirname, "../..");

export async function captureRegistrations(): Promise<RegisteredFunction[]> {
  const core = installVirtualCore(() => undefined);
  for (const file of sourceEntryPoints()) await import(pathToFileURL(file).href);
  return core.registrations.map(({ metadata }) => {
    const bindings = Object.values(metadata.bindings);
    const trigger = bindings.find((b) => b.direction === "in" && /trigger$/i.test(b.type));
    if (!trigger) throw new Error(`function ${metadata.name} has no trigger binding`);
    return { name: metadata.name, trigger, bindings };
  });
}

/** package.json `main` (e.g. dist/src/{index.js,functions/*.js}) mapped to the .ts sources. */
export function sourceEntryPoints(): string[] {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { main?: unknown };
  if (typeof pkg.main !== "string") throw new Error('package.json has no "main"');
  const files: string[] = [];
  for (const pattern of expandBraces(pkg.main)) {
    const source = pattern.replace(/^dist\//, "").replace(/\.js$/, ".ts");
    const dir = path.join(ROOT, path.dirname(source));
    const base = path.basename(source);
    if (!picomatch.scan(base).isGlob) {
      files.push(path.join(dir, base));
      continue;
    }
    const isMatch = picomatch(base);
    for (const name of readdirSync(dir).sort()) if (isMatch(name)) files.push(path.join(dir, name));
  }
  return files;
}
