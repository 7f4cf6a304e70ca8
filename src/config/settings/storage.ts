/**
 * Storage settings, read by src/config/storage.ts: the connection (a connection string, or the identity-based
 * AzureWebJobsStorage__* form the Functions host also understands) and the table and queue names.
 * Part of the registry in src/config/settings.ts: add a line here when you add a setting.
 */
import type { SettingInfo } from "./types.js";

/** The identity-based forms that stand in for the AzureWebJobsStorage connection string. */
const STORAGE_IDENTITY = [
  "AzureWebJobsStorage__accountName",
  "AzureWebJobsStorage__blobServiceUri",
  "AzureWebJobsStorage__queueServiceUri",
  "AzureWebJobsStorage__tableServiceUri",
];

export const STORAGE_SETTINGS: readonly SettingInfo[] = [
  {
    name: "AzureWebJobsStorage",
    area: "storage",
    scope: "app",
    required: "always",
    satisfiedBy: STORAGE_IDENTITY,
    secret: true,
    description:
      "Storage connection string (UseDevelopmentStorage=true for Azurite). In Azure use the identity-based AzureWebJobsStorage__* settings instead.",
  },
  {
    name: "AzureWebJobsStorage__accountName",
    area: "storage",
    scope: "app",
    required: "optional",
    secret: false,
    description: "Storage account name for identity-based access (public cloud endpoints).",
  },
  {
    name: "AzureWebJobsStorage__blobServiceUri",
    area: "storage",
    scope: "app",
    required: "optional",
    secret: false,
    description:
      "Blob endpoint for identity-based access; with the queue and table URIs, replaces accountName.",
  },
  {
    name: "AzureWebJobsStorage__queueServiceUri",
    area: "storage",
    scope: "app",
    required: "optional",
    secret: false,
    description: "Queue endpoint for identity-based access.",
  },
  {
    name: "AzureWebJobsStorage__tableServiceUri",
    area: "storage",
    scope: "app",
    required: "optional",
    secret: false,
    description: "Table endpoint for identity-based access.",
  },
  {
    name: "AzureWebJobsStorage__credential",
    area: "storage",
    scope: "app",
    required: "optional",
    secret: false,
    description: "managedidentity for identity-based access.",
  },
  {
    name: "AzureWebJobsStorage__clientId",
    area: "storage",
    scope: "app",
    required: "optional",
    secret: false,
    description: "Client id of the user-assigned identity for storage; absent = system-assigned.",
  },
  {
    name: "JOBS_TABLE",
    area: "storage",
    scope: "app",
    required: "optional",
    secret: false,
    description: "Job table. Default uploadjobs.",
  },
  {
    name: "THROTTLE_TABLE",
    area: "storage",
    scope: "app",
    required: "optional",
    secret: false,
    description: "Per-drive throttle table. Default drivethrottle.",
  },
  {
    name: "WAKE_QUEUE",
    area: "storage",
    scope: "app",
    required: "optional",
    secret: false,
    description: "Queue that wakes the step function (poison queue: <name>-poison). Default upload-wakes.",
  },
];
