/**
 * Queue clients for bindings, from the app setting a binding names in `connection` (default
 * `AzureWebJobsStorage`), as the Functions host resolves it. Connection strings only: identity-based
 * connections (`<name>__queueServiceUri`) need Azure, and the local host runs against Azurite.
 */
import { type QueueClient, QueueServiceClient } from "@azure/storage-queue";

/** The app setting a binding's `connection` names (the host's default is AzureWebJobsStorage). */
export function connectionSetting(connection: unknown): string {
  return typeof connection === "string" && connection ? connection : "AzureWebJobsStorage";
}

/** Identifies one queue of one storage connection, e.g. to find the listeners an output binding feeds. */
export function queueKey(connection: unknown, queueName: string): string {
  return `${connectionSetting(connection)}/${queueName}`;
}

export class QueueClients {
  private readonly services = new Map<string, QueueServiceClient>();
  private readonly created = new Map<string, Promise<unknown>>();

  constructor(private readonly env: Readonly<Record<string, string | undefined>>) {}

  /** The queue, created on first use (the host creates trigger and output queues as needed). */
  async queue(connection: unknown, queueName: string): Promise<QueueClient> {
    const setting = connectionSetting(connection);
    let service = this.services.get(setting);
    if (!service) {
      const value = this.env[setting] ?? this.env[`ConnectionStrings:${setting}`];
      if (!value)
        throw new Error(
          `the binding's connection setting ${setting} is not set (a connection string is needed locally)`,
        );
      service = QueueServiceClient.fromConnectionString(value);
      this.services.set(setting, service);
    }
    const client = service.getQueueClient(queueName);
    const key = queueKey(setting, queueName);
    let ready = this.created.get(key);
    if (!ready) {
      ready = client.createIfNotExists({ abortSignal: AbortSignal.timeout(30_000) });
      this.created.set(key, ready);
      ready.catch(() => this.created.delete(key));
    }
    await ready;
    return client;
  }
}
