/**
 * Runs the Graph emulator in its own process, so that a benchmark measures the CLI's (or the local host's)
 * memory and CPU, not the emulator's: with file-backed storage in `dataDir`, or in memory when it is absent.
 * Prints one JSON line with its URLs, exits on SIGTERM.
 */
import { DEFAULT_DRIVE_IDS, startEmulator } from "../../src/emulator/index.js";

const dataDir = process.argv[2];
const emu = await startEmulator(dataDir ? { dataDir } : {});
process.stdout.write(
  `${JSON.stringify({ graphBaseUrl: emu.graphBaseUrl, driveId: DEFAULT_DRIVE_IDS.opsDocuments })}\n`,
);
process.on("SIGTERM", () => {
  void emu.close().then(() => process.exit(0));
});
