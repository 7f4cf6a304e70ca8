import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The ARM-level tests need the compiled templates: `npm run test:infra` (vitest.infra.config.ts) runs them.
    exclude: [...configDefaults.exclude, "test/arm/**"],
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
