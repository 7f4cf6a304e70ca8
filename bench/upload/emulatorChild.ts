/**
 * Runs the Graph emulator in its own process, so that a benchmark measures the CLI's (or the local host's)
 * memory and CPU, not the emulator's: with file-backed storage in `dataDir`, or in memory when it is absent or
 * empty. An optional second argument is JSON of further startEmulator options (the WAN bench: HTTPS, the proxy,
 * latency, limits). Prints one JSON line with its URLs (and proxy and CA, when asked for), exits on SIGTERM.
 */
import { DEFAULT_DRIVE_IDS, type EmulatorOptions, startEmulator } from "../../src/emulator/index.js";

const dataDir = process.argv[2];
const extra = (process.argv[3] ? JSON.parse(process.argv[3]) : {}) as EmulatorOptions;
const emu = await startEmulator({ ...extra, ...(dataDir ? { dataDir } : {}) });
process.stdout.write(
  `${JSON.stringify({
    graphBaseUrl: emu.graphBaseUrl,
    driveId: DEFAULT_DRIVE_IDS.opsDocuments,
    ...(emu.proxyUrl ? { proxyUrl: emu.proxyUrl } : {}),
    ...(emu.tls ? { caPath: emu.tls.caPath } : {}),
  })}\n`,
);
process.on("SIGTERM", () => {
  void emu.close().then(() => process.exit(0));
});
