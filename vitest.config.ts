import { spawnSync } from "node:child_process";
import { configDefaults, defineConfig } from "vitest/config";

/**
 * The rclone conformance tests (test/conformance/rclone) need an installed rclone. They are collected only when
 * it is there, so a developer without it runs everything else and nothing is reported as skipped; under CI a
 * missing rclone stops the run instead, because .ci/run installs it and the tests must never silently vanish.
 */
const RCLONE_TESTS = "test/conformance/rclone/**";
const rcloneInstalled = spawnSync("rclone", ["version"], { stdio: "ignore" }).status === 0;
if (!rcloneInstalled && process.env.CI) {
  throw new Error(
    "rclone is not installed but CI is set: the rclone conformance tests must run in CI (.ci/run installs it with apt-get; locally: apt-get install rclone)",
  );
}
if (!rcloneInstalled) {
  process.stderr.write(
    `note: rclone is not installed, so ${RCLONE_TESTS} is not collected (apt-get install rclone)\n`,
  );
}

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The ARM-level tests need the compiled templates: `npm run test:infra` (vitest.infra.config.ts) runs them.
    exclude: [...configDefaults.exclude, "test/arm/**", ...(rcloneInstalled ? [] : [RCLONE_TESTS])],
    // Integration tests start real servers (the Graph emulator, Azurite) on free ports; give them room
    // on a shared 2-core machine without letting a hung socket stall CI forever.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // The protocol suite in test/conformance runs here against the bundled emulator; vitest.live.config.ts
    // runs the same files against a real tenant.
    provide: { conformanceTarget: "emulator" },
    // Under CI, also write machine-readable results: .ci/run prints the plain "N passed, N failed" line from
    // them. TEST_RESULTS_FILE names the file, so the runs on each Node.js version keep their own.
    reporters: process.env.CI
      ? ["default", ["json", { outputFile: process.env.TEST_RESULTS_FILE ?? ".local/test-results.json" }]]
      : ["default"],
  },
});
