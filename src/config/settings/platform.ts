/**
 * Settings of local runs only, read by src/localhost/settings.ts (docs/local-development.md): the built-in local
 * host, and the Azurite and Graph emulator that `graph-mirror start` reuses or starts.
 * Part of the registry in src/config/settings.ts: add a line here when you add a setting.
 */
import type { SettingInfo } from "./types.js";

export const PLATFORM_SETTINGS: readonly SettingInfo[] = [
  {
    name: "PORT",
    area: "platform",
    scope: "local",
    required: "optional",
    secret: false,
    description:
      "HTTP port of the functions in local runs (graph-mirror start, the built-in local host); 0 picks a free port. Default 7071.",
  },
  {
    name: "LOCALHOST_MESSAGE_LEASE_SECONDS",
    area: "platform",
    scope: "local",
    required: "optional",
    secret: false,
    description:
      "Built-in local host: how long a received queue message stays invisible while its function runs (renewed at half), 5-600 s. Default 60.",
  },
  {
    name: "AZURITE_BLOB_PORT",
    area: "platform",
    scope: "local",
    required: "optional",
    secret: false,
    description: "graph-mirror start: blob port of the Azurite it reuses or starts. Default 10000.",
  },
  {
    name: "AZURITE_QUEUE_PORT",
    area: "platform",
    scope: "local",
    required: "optional",
    secret: false,
    description: "graph-mirror start: queue port of the Azurite it reuses or starts. Default 10001.",
  },
  {
    name: "AZURITE_TABLE_PORT",
    area: "platform",
    scope: "local",
    required: "optional",
    secret: false,
    description: "graph-mirror start: table port of the Azurite it reuses or starts. Default 10002.",
  },
  {
    name: "EMULATOR_GRAPH_PORT",
    area: "platform",
    scope: "local",
    required: "optional",
    secret: false,
    description:
      "graph-mirror start: Graph port of the Graph emulator (control API at /_emulator/). Default 10010.",
  },
  {
    name: "EMULATOR_UPLOAD_PORT",
    area: "platform",
    scope: "local",
    required: "optional",
    secret: false,
    description: "graph-mirror start: upload-URL port of the Graph emulator. Default 10011.",
  },
  {
    name: "EMULATOR_HTTPS",
    area: "platform",
    scope: "local",
    required: "optional",
    secret: false,
    description:
      "graph-mirror start: true serves the Graph emulator over HTTPS with a local CA kept in <data dir>/.local/emulator/tls (docs/emulator.md). Default false.",
  },
  {
    name: "LOCAL_DEV_PRINCIPAL",
    area: "platform",
    scope: "local",
    required: "optional",
    secret: false,
    description:
      'Built-in local host only: a JSON principal ({"oid": "...", "appid": "...", "roles": ["Uploads.Write"]}) the host passes to the functions as x-ms-client-principal, playing Easy Auth\'s part (docs/local-development.md). Unset: a client-supplied x-ms-client-principal is removed, as Easy Auth does.',
  },
];
