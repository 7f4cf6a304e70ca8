/**
 * The emulator target: the bundled emulator, started in process with its default profile (`field`: what
 * Microsoft documents plus what field reports show; docs/emulator.md "Profiles") and the system clock, on a
 * SharePoint library of the default seed.
 */
import { DEFAULT_DRIVE_IDS, DEFAULT_TOKEN, startEmulator } from "../../src/emulator/index.js";
import { createRunFolder, deleteRunFolder } from "./runFolder.js";
import type { ConformanceTarget } from "./target.js";

export async function openEmulatorTarget(): Promise<ConformanceTarget> {
  const emulator = await startEmulator();
  const access = {
    graphBaseUrl: emulator.graphBaseUrl,
    tokens: { getToken: async () => DEFAULT_TOKEN },
    driveId: DEFAULT_DRIVE_IDS.opsDocuments,
  };
  try {
    const folder = await createRunFolder(access);
    let closed = false;
    return {
      name: `emulator (${emulator.profile} profile)`,
      ...access,
      folder,
      serverRequests: () => emulator.inspect.requestLog().length,
      async cleanup() {
        if (closed) return;
        closed = true;
        try {
          // What the emulator can see and a tenant cannot: the suite left no upload session open.
          const open = emulator.inspect.sessions().length;
          await deleteRunFolder(access, folder);
          if (open > 0) throw new Error(`the conformance suite left ${open} upload session(s) open`);
        } finally {
          await emulator.close();
        }
      },
    };
  } catch (err: unknown) {
    await emulator.close();
    throw err;
  }
}
