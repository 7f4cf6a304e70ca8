/**
 * `npm run bench <name>` (bench/run.ts): a name no benchmark has is refused with the names there are, instead of
 * an empty table that passes. Runs the compiled runner, as `npm run bench` does.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { beforeAll, expect, it } from "vitest";
import { ensureBuilt, REPO_DIR } from "../../support/builtApp.js";

beforeAll(async () => {
  await ensureBuilt();
}, 300_000);

it("refuses a filter that selects no benchmark, naming the benchmarks, exit 2, running none", () => {
  const run = spawnSync(process.execPath, [path.join(REPO_DIR, "dist", "bench", "run.js"), "no-such-bench"], {
    encoding: "utf8",
  });
  expect(run.status).toBe(2);
  expect(run.stderr).toMatch(/no benchmark name contains "no-such-bench"; the benchmarks are .*\bwan\b/);
  expect(run.stderr).not.toMatch(/running /);
  expect(run.stdout).toBe("");
});
