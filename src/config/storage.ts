/**
 * Storage settings shared by the Functions host and our own clients: where the job table, the throttle table,
 * the wake-up queue and the staging blobs live, and how we authenticate to them.
 *
 * The connection follows the Functions host's own conventions for `AzureWebJobsStorage`, so one setting serves
 * the triggers and our code (Microsoft docs, "Connecting to host storage with an identity"):
 * - a connection string: `AzureWebJobsStorage` (including `UseDevelopmentStorage=true` for Azurite);
 * - identity-based: `AzureWebJobsStorage__accountName`, or the per-service URIs
 *   `AzureWebJobsStorage__tableServiceUri` / `__queueServiceUri` / `__blobServiceUri`, with
 *   `AzureWebJobsStorage__credential=managedidentity` and, for a user-assigned identity, `__clientId`.
 * Values are never echoed in errors: a connection string holds an account key.
 */

import { ConfigError, type FieldProblem } from "../core/shared/validationError.js";
import type { Env } from "./auth.js";

export type StorageConnection =
  | { readonly kind: "connection-string"; readonly connectionString: string }
  | {
      readonly kind: "identity";
      readonly tableServiceUrl: string;
      readonly queueServiceUrl: string;
      readonly blobServiceUrl: string;
      /** Client id of a user-assigned managed identity; absent = system-assigned. */
      readonly clientId?: string;
    };

export interface StorageConfig {
  readonly connection: StorageConnection;
  /** Table holding one row per upload job. */
  readonly jobsTable: string;
  /** Table holding one throttling row per drive. */
  readonly throttleTable: string;
  /** Queue the step function is triggered by; its poison queue is `<name>-poison` (Functions host rule). */
  readonly wakeQueue: string;
}

export const STORAGE_DEFAULTS = {
  jobsTable: "uploadjobs",
  throttleTable: "drivethrottle",
  wakeQueue: "upload-wakes",
} as const;

const PREFIX = "AzureWebJobsStorage";
/** Table names: 3-63 letters and digits, starting with a letter (Table service naming rules). */
const TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/;
/** Queue names: 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit. */
const QUEUE_NAME = /^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/;
/** Storage account names: 3-24 lowercase letters and digits. */
const ACCOUNT_NAME = /^[a-z0-9]{3,24}$/;

/** The poison queue the Functions host moves a message to after `maxDequeueCount` failed deliveries. */
export function poisonQueueName(wakeQueue: string): string {
  return `${wakeQueue}-poison`;
}

export function parseStorageConfig(env: Env): StorageConfig {
  const problems: FieldProblem[] = [];
  const connection = parseConnection(env, problems);
  const names = parseNames(env, problems);
  if (problems.length > 0 || !connection) throw new ConfigError(problems);
  return { connection, ...names };
}

/** Only the table and queue names: registration needs the queue name even where no connection is configured. */
export function parseStorageNames(env: Env): Omit<StorageConfig, "connection"> {
  const problems: FieldProblem[] = [];
  const names = parseNames(env, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return names;
}

function parseNames(env: Env, problems: FieldProblem[]): Omit<StorageConfig, "connection"> {
  const jobsTable = text(env.JOBS_TABLE) ?? STORAGE_DEFAULTS.jobsTable;
  const throttleTable = text(env.THROTTLE_TABLE) ?? STORAGE_DEFAULTS.throttleTable;
  const wakeQueue = text(env.WAKE_QUEUE) ?? STORAGE_DEFAULTS.wakeQueue;
  const tableRule = "must be a table name: 3-63 letters and digits, starting with a letter";
  if (!TABLE_NAME.test(jobsTable)) problems.push({ field: "JOBS_TABLE", rule: tableRule });
  if (!TABLE_NAME.test(throttleTable)) problems.push({ field: "THROTTLE_TABLE", rule: tableRule });
  if (jobsTable.toLowerCase() === throttleTable.toLowerCase())
    problems.push({ field: "THROTTLE_TABLE", rule: "must differ from JOBS_TABLE" });
  // The poison queue adds 7 characters and must itself be a valid name.
  if (!QUEUE_NAME.test(wakeQueue) || wakeQueue.length > 56)
    problems.push({
      field: "WAKE_QUEUE",
      rule: "must be a queue name: 3-56 lowercase letters, digits and single hyphens (the host appends -poison)",
    });
  return { jobsTable, throttleTable, wakeQueue };
}

function parseConnection(env: Env, problems: FieldProblem[]): StorageConnection | undefined {
  const connectionString = text(env[PREFIX]);
  const accountName = text(env[`${PREFIX}__accountName`]);
  const tableUri = text(env[`${PREFIX}__tableServiceUri`]);
  const queueUri = text(env[`${PREFIX}__queueServiceUri`]);
  const blobUri = text(env[`${PREFIX}__blobServiceUri`]);
  const credential = text(env[`${PREFIX}__credential`]);
  const clientId = text(env[`${PREFIX}__clientId`]);

  const identityGiven = accountName || tableUri || queueUri || blobUri;
  if (connectionString && identityGiven) {
    problems.push({
      field: PREFIX,
      rule: `set either the connection string or the identity-based ${PREFIX}__* settings, not both`,
    });
    return undefined;
  }
  if (connectionString) {
    if (connectionString.startsWith("@Microsoft.KeyVault(")) {
      // docs/platform.md: an unresolved Key Vault reference arrives as its literal text.
      problems.push({
        field: PREFIX,
        rule: "is an unresolved Key Vault reference: check the app's access to the vault",
      });
      return undefined;
    }
    if (
      !/^UseDevelopmentStorage=true$/i.test(connectionString) &&
      !/AccountName=|Endpoint=/i.test(connectionString)
    ) {
      problems.push({
        field: PREFIX,
        rule: "must be a storage connection string (AccountName=...;AccountKey=... or UseDevelopmentStorage=true)",
      });
      return undefined;
    }
    return { kind: "connection-string", connectionString };
  }
  if (!identityGiven) {
    problems.push({
      field: PREFIX,
      rule: `is required: a connection string, UseDevelopmentStorage=true, or ${PREFIX}__accountName with a managed identity`,
    });
    return undefined;
  }
  if (credential && credential.toLowerCase() !== "managedidentity")
    problems.push({ field: `${PREFIX}__credential`, rule: "must be managedidentity when set" });
  if (accountName && !ACCOUNT_NAME.test(accountName))
    problems.push({
      field: `${PREFIX}__accountName`,
      rule: "must be a storage account name: 3-24 lowercase letters and digits",
    });

  const service = (uri: string | undefined, field: string, kind: "table" | "queue" | "blob") => {
    if (uri) {
      if (!isHttpsUrl(uri)) problems.push({ field: `${PREFIX}__${field}`, rule: "must be an https:// URL" });
      return uri.replace(/\/+$/, "");
    }
    if (accountName) return `https://${accountName}.${kind}.core.windows.net`;
    problems.push({
      field: `${PREFIX}__${field}`,
      rule: `is required when ${PREFIX}__accountName is not set (the app uses tables, queues and blobs)`,
    });
    return "";
  };
  const tableServiceUrl = service(tableUri, "tableServiceUri", "table");
  const queueServiceUrl = service(queueUri, "queueServiceUri", "queue");
  const blobServiceUrl = service(blobUri, "blobServiceUri", "blob");
  return {
    kind: "identity",
    tableServiceUrl,
    queueServiceUrl,
    blobServiceUrl,
    ...(clientId ? { clientId } : {}),
  };
}

function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === "https:";
  } catch {
    return false;
  }
}

function text(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
