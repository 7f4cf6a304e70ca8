import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Integration tests start real servers (the Graph emulator, Azurite) on free ports; give them room
    // on a shared 2-core machine without letting a hung socket stall CI forever.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // The protocol suite in test/conformance runs here against the bundled emulator; vitest.live.config.ts
    // runs the same files against a real tenant.
    provide: { conformanceTarget: "emulator" },
    // Under CI, also write machine-readable results: .ci/run prints the plain "N passed, N failed" line from it.
    reporters: process.env.CI
      ? ["default", ["json", { outputFile: ".local/test-results.json" }]]
      : ["default"],
  },
});
