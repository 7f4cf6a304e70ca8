/**
 * `npm run test:live`: the protocol suite of test/conformance against Microsoft Graph itself, with the tenant
 * named by the GRAPH_LIVE_* settings (docs/emulator.md, "Checking the emulator against Microsoft Graph").
 * Without them it stops here, before any test, naming what is missing: a live run never passes by skipping.
 */
import { defineConfig } from "vitest/config";
import { liveSettingsProblems, missingSettingsMessage } from "./test/conformance/liveSettings.js";

const problems = liveSettingsProblems(process.env);
if (problems.length > 0) {
  process.stderr.write(`${missingSettingsMessage(problems)}\n`);
  process.exit(2);
}

export default defineConfig({
  test: {
    // The protocol suite only: the SDK and rclone files test clients against the emulator, not the service.
    include: ["test/conformance/protocol.test.ts"],
    provide: { conformanceTarget: "live" },
    // The real service: sign-in, site lookup and uploads over the internet, one request at a time.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: "forks",
    fileParallelism: false,
    reporters: ["verbose"],
  },
});
