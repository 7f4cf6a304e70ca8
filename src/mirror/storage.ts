/**
 * The mirror's Table Storage: manifest, pending jobs, history and runs, on the same account and with the same
 * identity as the job table (AzureWebJobsStorage or its `__*` identity settings). The part-A factory
 * (src/store/factory.ts) builds its two table clients from a StorageConfig; it is asked for ours by name, so
 * connection strings, Azurite and managed identity are handled in one place.
 */
import type { TableClient } from "@azure/data-tables";
import type { StorageConfig } from "../config/storage.js";
import type { HistoryStore, ManifestStore } from "../core/ports/mirror.js";
import { createStorageClients, type StorageFactoryOptions } from "../store/factory.js";
import { TableHistoryStore } from "../store/historyTable.js";
import { TableManifestStore } from "../store/manifestTable.js";
import { httpStatusOf } from "../store/restError.js";

export const MIRROR_TABLES = {
  manifest: "mirrormanifest",
  pending: "mirrorpending",
  history: "mirrorhistory",
  runs: "mirrorruns",
} as const;

export interface MirrorStores {
  readonly manifest: ManifestStore;
  readonly history: HistoryStore;
  /** Creates the four tables when missing (idempotent). */
  ensureTables(signal?: AbortSignal): Promise<void>;
}

export function createMirrorStores(config: StorageConfig, options: StorageFactoryOptions = {}): MirrorStores {
  const first = createStorageClients(
    { ...config, jobsTable: MIRROR_TABLES.manifest, throttleTable: MIRROR_TABLES.pending },
    options,
  );
  const second = createStorageClients(
    { ...config, jobsTable: MIRROR_TABLES.history, throttleTable: MIRROR_TABLES.runs },
    options,
  );
  const tables = [first.jobsTable, first.throttleTable, second.jobsTable, second.throttleTable];
  return {
    manifest: new TableManifestStore(first.jobsTable, first.throttleTable),
    history: new TableHistoryStore(second.jobsTable, second.throttleTable),
    ensureTables: async (signal) => {
      const abortSignal = signal ?? AbortSignal.timeout(30_000);
      await Promise.all(tables.map((table) => createTable(table, abortSignal)));
    },
  };
}

async function createTable(table: TableClient, abortSignal: AbortSignal): Promise<void> {
  try {
    await table.createTable({ abortSignal });
  } catch (err: unknown) {
    if (httpStatusOf(err) !== 409) throw err;
  }
}
