/**
 * What ships to Azure (.funcignore applied to the repository's files): the Functions app, without the Graph
 * emulator, the local host, the CLI, benchmarks or tests; and nothing that ships imports a file that does not,
 * so the remote build (npm install, npm run build on the uploaded files) compiles. The same property is a
 * dependency-cruiser rule (deployed-code-stays-deployable in .dependency-cruiser.cjs); this test checks it
 * against .funcignore itself. test/integration/deploy/remoteBuild.test.ts runs the build on those files.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isIgnored, parseFuncignore, REPO_ROOT, shippedFiles } from "../../support/funcignore.js";

const NOT_SHIPPED = ["src/emulator/", "src/localhost/", "src/cli/", "bench/", "test/"];

/** Relative imports of a TypeScript file: static, re-exports, side-effect and literal dynamic imports. */
function relativeImports(file: string): string[] {
  const text = readFileSync(path.join(REPO_ROOT, file), "utf8");
  const specs = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["'](\.{1,2}\/[^"']+)["']/g)].map(
    (m) => m[1],
  );
  return specs.flatMap((spec) =>
    spec
      ? [path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)).replace(/\.js$/, ".ts")]
      : [],
  );
}

describe(".funcignore", () => {
  it("follows gitignore's rules for the patterns it uses", () => {
    const patterns = parseFuncignore("# comment\ntest/\nsrc/emulator/\n*.log\n!keep.log\nazure.yaml\n");
    expect(isIgnored(patterns, "test/unit/a.test.ts")).toBe(true);
    expect(isIgnored(patterns, "src/test/a.ts")).toBe(true); // unanchored folder: any depth
    expect(isIgnored(patterns, "src/test.ts")).toBe(false); // folder-only pattern, not a file
    expect(isIgnored(patterns, "src/emulator/server.ts")).toBe(true);
    expect(isIgnored(patterns, "lib/src/emulator/server.ts")).toBe(false); // anchored at the root
    expect(isIgnored(patterns, "logs/run.log")).toBe(true);
    expect(isIgnored(patterns, "keep.log")).toBe(false); // negation: the last match wins
    expect(isIgnored(patterns, "azure.yaml")).toBe(true);
    expect(isIgnored(patterns, "src/index.ts")).toBe(false);
  });

  const shipped = shippedFiles();
  const shippedSet = new Set(shipped);

  it("ships the Functions app: its entry points and what the remote build needs", () => {
    for (const file of [
      "package.json",
      "package-lock.json",
      "host.json",
      "tsconfig.json",
      "tsconfig.build.json",
    ])
      expect(shipped).toContain(file);
    expect(shipped).toContain("src/index.ts");
    expect(shipped.filter((f) => f.startsWith("src/functions/")).length).toBeGreaterThan(5);
  });

  it("keeps the emulator, the local host, the CLI, benchmarks and tests out", () => {
    expect(shipped.filter((file) => NOT_SHIPPED.some((prefix) => file.startsWith(prefix)))).toEqual([]);
    expect(
      shipped.filter((file) => /^(docs|infra|bin|sample|scripts|node_modules|dist)\//.test(file)),
    ).toEqual([]);
  });

  it("ships nothing that imports a file left out", () => {
    const broken = shipped
      .filter((file) => file.endsWith(".ts"))
      .flatMap((file) => relativeImports(file).map((target) => ({ file, target })))
      .filter(({ target }) => !shippedSet.has(target));
    expect(broken).toEqual([]);
  });

  it("the deployed entry points' import graph never reaches an excluded file", () => {
    const entries = shipped.filter((f) => f === "src/index.ts" || /^src\/functions\/[^/]+\.ts$/.test(f));
    const seen = new Set<string>(entries);
    const queue = [...entries];
    for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
      for (const target of relativeImports(file)) {
        if (seen.has(target)) continue;
        seen.add(target);
        if (shippedSet.has(target)) queue.push(target);
      }
    }
    expect([...seen].filter((file) => !shippedSet.has(file))).toEqual([]);
    // The walk did follow the graph: the engine is reached from the wake queue's function.
    expect(seen.has("src/core/upload/engine.ts")).toBe(true);
  });
});
