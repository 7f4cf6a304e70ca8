/**
 * Builds the storage clients and stores from configuration: a connection string (including
 * `UseDevelopmentStorage=true`) or a managed identity against explicit service endpoints. One credential,
 * never a chain (docs/platform.md "Identity"). Nothing here calls Azure until a store is used.
 */
import { TableClient, type TableServiceClientOptions } from "@azure/data-tables";
import { ManagedIdentityCredential, type TokenCredential } from "@azure/identity";
import { BlobServiceClient } from "@azure/storage-blob";
import { type QueueClient, QueueServiceClient } from "@azure/storage-queue";
import type { StorageConfig } from "../config/storage.js";
import { poisonQueueName } from "../config/storage.js";
import { type Clock, systemClock } from "../core/ports/common.js";
import type { DestinationIndex, JobStore, ThrottleStore, WakeQueue } from "../core/ports/stores.js";
import { CachedThrottleStore } from "./cachedThrottleStore.js";
import { QueueWake } from "./queueWake.js";
import { RejectedWakeQueue, type RejectedWakes } from "./rejectedWakes.js";
import { httpStatusOf } from "./restError.js";
import { destinationTableName, TableDestinationIndex } from "./tableDestinationIndex.js";
import { TableJobStore } from "./tableJobStore.js";
import { TableThrottleStore } from "./tableThrottleStore.js";

export interface StorageClients {
  readonly jobsTable: TableClient;
  /** One row per destination item: the job that owns it (src/store/tableDestinationIndex.ts). */
  readonly destinationsTable: TableClient;
  readonly throttleTable: TableClient;
  readonly wakeQueue: QueueClient;
  readonly poisonQueue: QueueClient;
  readonly blobService: BlobServiceClient;
}

export interface Storage {
  readonly jobs: JobStore;
  /** One active job per destination item (src/core/pipeline/destinationClaim.ts). */
  readonly destinations: DestinationIndex;
  readonly throttle: ThrottleStore;
  readonly wakeQueue: WakeQueue;
  /** Where messages that are not wake messages go, once, with the reason (`<wake queue>-poison`). */
  readonly rejectedWakes: RejectedWakes;
  readonly clients: StorageClients;
  /** Creates the tables and queues when missing (idempotent). */
  ensureResources(signal?: AbortSignal): Promise<void>;
}

export interface StorageFactoryOptions {
  /** Overrides the managed identity (tests; other hosts). */
  readonly credential?: TokenCredential;
  /** Clock of the in-process throttle cache (default: system time). */
  readonly clock?: Clock;
}

export function createStorageClients(
  config: StorageConfig,
  options: StorageFactoryOptions = {},
): StorageClients {
  const { connection } = config;
  if (connection.kind === "connection-string") {
    const cs = connection.connectionString;
    // Azurite speaks plain http; the tables SDK refuses http with credentials unless told (docs/platform.md).
    const tableOptions: TableServiceClientOptions = isPlainHttp(cs) ? { allowInsecureConnection: true } : {};
    const queues = QueueServiceClient.fromConnectionString(cs);
    return {
      jobsTable: TableClient.fromConnectionString(cs, config.jobsTable, tableOptions),
      destinationsTable: TableClient.fromConnectionString(
        cs,
        destinationTableName(config.jobsTable),
        tableOptions,
      ),
      throttleTable: TableClient.fromConnectionString(cs, config.throttleTable, tableOptions),
      wakeQueue: queues.getQueueClient(config.wakeQueue),
      poisonQueue: queues.getQueueClient(poisonQueueName(config.wakeQueue)),
      blobService: BlobServiceClient.fromConnectionString(cs),
    };
  }
  const credential =
    options.credential ??
    new ManagedIdentityCredential(connection.clientId ? { clientId: connection.clientId } : {});
  const queues = new QueueServiceClient(connection.queueServiceUrl, credential);
  return {
    jobsTable: new TableClient(connection.tableServiceUrl, config.jobsTable, credential),
    destinationsTable: new TableClient(
      connection.tableServiceUrl,
      destinationTableName(config.jobsTable),
      credential,
    ),
    throttleTable: new TableClient(connection.tableServiceUrl, config.throttleTable, credential),
    wakeQueue: queues.getQueueClient(config.wakeQueue),
    poisonQueue: queues.getQueueClient(poisonQueueName(config.wakeQueue)),
    blobService: new BlobServiceClient(connection.blobServiceUrl, credential),
  };
}

export function createStorage(config: StorageConfig, options: StorageFactoryOptions = {}): Storage {
  const clients = createStorageClients(config, options);
  return {
    jobs: new TableJobStore(clients.jobsTable),
    destinations: new TableDestinationIndex(clients.destinationsTable),
    throttle: new CachedThrottleStore(
      new TableThrottleStore(clients.throttleTable),
      options.clock ?? systemClock,
    ),
    wakeQueue: new QueueWake(clients.wakeQueue),
    rejectedWakes: new RejectedWakeQueue(clients.poisonQueue),
    clients,
    ensureResources: async (signal) => {
      const abortSignal = signal ?? AbortSignal.timeout(30_000);
      await Promise.all([
        createTable(clients.jobsTable, abortSignal),
        createTable(clients.destinationsTable, abortSignal),
        createTable(clients.throttleTable, abortSignal),
        clients.wakeQueue.createIfNotExists({ abortSignal }),
        clients.poisonQueue.createIfNotExists({ abortSignal }),
      ]);
    },
  };
}

async function createTable(table: TableClient, abortSignal: AbortSignal): Promise<void> {
  try {
    await table.createTable({ abortSignal });
  } catch (err: unknown) {
    // createTable already ignores "exists" on Azure; Azurite versions differ, so tolerate 409 here too.
    if (httpStatusOf(err) !== 409) throw err;
  }
}

function isPlainHttp(connectionString: string): boolean {
  return (
    /^UseDevelopmentStorage=true/i.test(connectionString) ||
    /DefaultEndpointsProtocol=http(;|$)/i.test(connectionString) ||
    /Endpoint=http:\/\//i.test(connectionString)
  );
}
