/**
 * HTTP API settings, read by src/config/httpApi.ts (docs/http-api.md).
 * Part of the registry in src/config/settings.ts: add a line here when you add a setting.
 */
import type { SettingInfo } from "./types.js";

export const HTTP_API_SETTINGS: readonly SettingInfo[] = [
  {
    name: "ALLOWED_FILE_ROOTS",
    area: "http-api",
    scope: "app",
    required: "optional",
    secret: false,
    description: "Absolute directories file sources may lie under. Default none (file sources refused).",
  },
  {
    name: "ALLOWED_BLOB_CONTAINERS",
    area: "http-api",
    scope: "app",
    required: "optional",
    secret: false,
    description: "Blob containers blob sources may name. Default none (blob sources refused).",
  },
  {
    name: "URL_SOURCE_ALLOWED_NETWORKS",
    area: "http-api",
    scope: "app",
    required: "optional",
    secret: false,
    description: "Private networks URL sources may reach (CIDR list). Default none.",
  },
  {
    name: "STAGING_CONTAINER",
    area: "http-api",
    scope: "app",
    required: "optional",
    secret: false,
    description: "Container octet-stream bodies are staged in. Default graph-mirror-staging.",
  },
  {
    name: "STAGING_MAX_BYTES",
    area: "http-api",
    scope: "app",
    required: "optional",
    secret: false,
    description: "Largest octet-stream body in bytes. Default 107374182400 (100 GiB).",
  },
  {
    name: "STAGING_TIMEOUT_SECONDS",
    area: "http-api",
    scope: "app",
    required: "optional",
    secret: false,
    description: "Deadline for receiving an octet-stream body. Default 220.",
  },
  {
    name: "HTTP_JSON_MAX_BYTES",
    area: "http-api",
    scope: "app",
    required: "optional",
    secret: false,
    description: "Largest JSON request body in bytes. Default 65536.",
  },
  {
    name: "API_AUTH",
    area: "http-api",
    scope: "app",
    required: "optional",
    secret: false,
    description:
      "functionKey (default): the upload routes need the function key only. entra: the platform's built-in authentication (Easy Auth) validates a Microsoft Entra ID token; POST and DELETE need the app role Uploads.Write, GET Uploads.Read, and the caller (oid:/appid:) is recorded in the jobs, the status answer and history.",
  },
];
