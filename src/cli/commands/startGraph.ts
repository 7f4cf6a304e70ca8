/**
 * `graph-mirror start`, step 3 (start.ts), when no tenant is configured: the Graph emulator in this process,
 * persistent under `<data dir>/.local/emulator` (Azurite's manifest persists, so a forgetful emulator would make
 * change detection lie), with GRAPH_BASE_URL and GRAPH_ACCESS_TOKEN pointed at it. EMULATOR_HTTPS=true serves it
 * over HTTPS and hands the functions NODE_EXTRA_CA_CERTS for its local CA. Then, unless MIRRORS or MIRRORS_FILE
 * is set, the bundled sample mirror (src/mirror/sample.ts).
 */
import path from "node:path";
import { defaultSampleDir, ensureSampleFiles, sampleMirrorEnv } from "../../mirror/sample.js";
import { cliEnvironmentLines } from "../emulatorEnvironment.js";
import type { StartRun } from "./startRun.js";

/** Starts the emulator; returns the URL of its control API's item list, for the first pass's summary. */
export async function provideEmulator(run: StartRun, https: boolean): Promise<string> {
  const { env, say } = run;
  // Loaded only here: a configured tenant never needs the emulator's code.
  const { startEmulator, DEFAULT_TOKEN } = await import("../../emulator/index.js");
  const emulatorDir = path.join(run.dataDir, ".local", "emulator");
  const emulator = await startEmulator({
    dataDir: emulatorDir,
    graphPort: run.ports.emulatorGraph,
    uploadPort: run.ports.emulatorUpload,
    // The CA is kept beside the emulator's data (<dir>/tls), so trust survives restarts.
    ...(https ? { https: true } : {}),
  });
  run.life.onStop(() => emulator.close());
  env.GRAPH_BASE_URL = emulator.graphBaseUrl;
  env.GRAPH_ACCESS_TOKEN = DEFAULT_TOKEN;
  // The functions run in a child process: Node reads extra trusted CAs only at its start, from this variable.
  if (emulator.tls) env.NODE_EXTRA_CA_CERTS = emulator.tls.caPath;
  say(`  graph     Graph emulator at ${emulator.graphBaseUrl}, data in ${emulatorDir}`);
  if (emulator.tls) say(`            HTTPS, trusting the local CA ${emulator.tls.caPath}`);
  for (const line of cliEnvironmentLines(emulator.graphBaseUrl, DEFAULT_TOKEN, emulator.tls?.caPath))
    say(`          ${line}`);
  if (!env.MIRRORS?.trim() && !env.MIRRORS_FILE?.trim()) {
    const sampleDir = defaultSampleDir();
    await ensureSampleFiles(sampleDir);
    Object.assign(env, sampleMirrorEnv(sampleDir, env));
    say(`  mirror    the bundled sample: ${sampleDir} -> /sites/Ops (Documents) and Adele's OneDrive`);
  }
  return `${new URL(emulator.graphBaseUrl).origin}/_emulator/items`;
}
