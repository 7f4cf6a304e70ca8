import { defineConfig } from "vitest/config";

// ARM-level tests on the compiled templates (.local/infra, written by `npm run infra:build`): a separate run,
// because `npm test` must work on a machine with no Bicep compiler and no .NET SDK. .ci/run builds, then runs it.
export default defineConfig({
  test: {
    include: ["test/arm/**/*.test.ts"],
    pool: "forks",
    reporters: process.env.CI
      ? ["default", ["json", { outputFile: ".local/test-results-infra.json" }]]
      : ["default"],
  },
});
