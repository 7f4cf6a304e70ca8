/**
 * Runs the Graph emulator in its own process with file-backed storage (`dataDir`), so that the benchmark
 * measures the CLI's memory and CPU, not the emulator's. Prints one JSON line with its URLs, exits on SIGTERM.
 */
import { DEFAULT_DRIVE_IDS, startEmulator } from "../../src/emulator/index.js";

const dataDir = process.argv[2];
if (!dataDir) throw new Error("usage: emulatorChild <dataDir>");
const emu = await startEmulator({ dataDir });
process.stdout.write(
  `${JSON.stringify({ graphBaseUrl: emu.graphBaseUrl, driveId: DEFAULT_DRIVE_IDS.opsDocuments })}\n`,
);
process.on("SIGTERM", () => {
  void emu.close().then(() => process.exit(0));
});
