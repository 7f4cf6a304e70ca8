/**
 * A real Azurite (the official Storage emulator) for tests: a child process on free ports, in memory. The
 * launch itself is the one `graph-mirror start` uses (src/localhost/azurite.ts).
 */
import { explicitDevStorageConnectionString, spawnAzurite, stopChild } from "../../src/localhost/azurite.js";

export interface RunningAzurite {
  readonly blobPort: number;
  readonly queuePort: number;
  readonly tablePort: number;
  /** A full connection string for the well-known Azurite dev account. */
  readonly connectionString: string;
  stop(): Promise<void>;
}

export async function startAzurite(): Promise<RunningAzurite> {
  const azurite = await spawnAzurite("memory", { blob: 0, queue: 0, table: 0 });
  return {
    blobPort: azurite.ports.blob,
    queuePort: azurite.ports.queue,
    tablePort: azurite.ports.table,
    connectionString: explicitDevStorageConnectionString(azurite.ports),
    stop: () => stopChild(azurite.child, 3_000),
  };
}
