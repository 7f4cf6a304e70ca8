import { spawnSync } from "node:child_process";
import { defineConfig } from "vitest/config";

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
    exclude: ["**/node_modules/**", ...(rcloneInstalled ? [] : [RCLONE_TESTS])],
    // Integration tests start real servers (the Graph emulator, Azurite) on free ports; give them room
    // on a shared 2-core machine without letting a hung socket stall CI forever.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Under CI, also write machine-readable results: .ci/run prints the plain "N passed, N failed" line from it.
    reporters: process.env.CI
      ? ["default", ["json", { outputFile: ".local/test-results.json" }]]
      : ["default"],
  },
});
