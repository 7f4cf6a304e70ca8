import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { configDefaults, defineConfig } from "vitest/config";

/**
 * Tests that need a program from Debian's packages: rclone (test/conformance/rclone) and OpenSSH's sshd
 * (test/integration/sftp, a real SSH server). They are collected only when the program is there, so a developer
 * without it runs everything else and nothing is reported as skipped; under CI a missing program stops the run
 * instead, because .ci/run installs both and these tests must never silently vanish.
 */
const TOOL_TESTS = [
  {
    files: "test/conformance/rclone/**",
    installed: spawnSync("rclone", ["version"], { stdio: "ignore" }).status === 0,
    install: "apt-get install rclone",
  },
  {
    files: "test/integration/sftp/**",
    installed: existsSync("/usr/sbin/sshd"),
    install: "apt-get install openssh-server",
  },
];
for (const tool of TOOL_TESTS.filter((t) => !t.installed)) {
  const what = `${tool.files} needs a program that is not installed (${tool.install})`;
  if (process.env.CI) throw new Error(`CI is set but ${what}: .ci/run installs it`);
  process.stderr.write(`note: ${what}, so it is not collected\n`);
}
const missingToolTests = TOOL_TESTS.filter((t) => !t.installed).map((t) => t.files);

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The ARM-level tests need the compiled templates: `npm run test:infra` (vitest.infra.config.ts) runs them.
    exclude: [...configDefaults.exclude, "test/arm/**", ...missingToolTests],
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
