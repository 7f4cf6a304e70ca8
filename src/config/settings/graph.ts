/**
 * Graph and upload settings, read by src/config/graph.ts (docs/upload.md, docs/graph-protocol.md).
 * Part of the registry in src/config/settings.ts: add a line here when you add a setting.
 */
import type { SettingInfo } from "./types.js";

export const GRAPH_SETTINGS: readonly SettingInfo[] = [
  {
    name: "GRAPH_BASE_URL",
    area: "graph",
    scope: "app",
    required: "optional",
    secret: false,
    description:
      "Graph endpoint; its origin is also the token audience. Default: the GRAPH_CLOUD's, https://graph.microsoft.com/v1.0 for global; http only for loopback (the emulator).",
  },
  {
    name: "CHUNK_SIZE",
    area: "graph",
    scope: "app",
    required: "optional",
    secret: false,
    description:
      "Upload chunk size, a multiple of 320 KiB under 60 MiB. Default: sized to the link, starting at 10MiB.",
  },
  {
    name: "SIMPLE_UPLOAD_MAX",
    area: "graph",
    scope: "app",
    required: "optional",
    secret: false,
    description: "Files up to this size go by simple upload. Default 4MiB.",
  },
  {
    name: "GRAPH_REQUEST_TIMEOUT_MS",
    area: "graph",
    scope: "app",
    required: "optional",
    secret: false,
    description: "Deadline of every Graph request in ms, 1000-600000. Default 120000.",
  },
];
