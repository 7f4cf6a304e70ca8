/**
 * Mirror settings, read by src/mirror/settings.ts (docs/mirroring.md).
 * Part of the registry in src/config/settings.ts: add a line here when you add a setting.
 */
import type { SettingInfo } from "./types.js";

export const MIRROR_SETTINGS: readonly SettingInfo[] = [
  {
    name: "MIRRORS",
    area: "mirror",
    scope: "app",
    required: "optional",
    secret: false,
    description:
      'Mirror definitions as JSON (a list, or {"mirrors": [...]}). Not together with MIRRORS_FILE.',
  },
  {
    name: "MIRRORS_FILE",
    area: "mirror",
    scope: "app",
    required: "optional",
    secret: false,
    description: "File holding the mirror definitions.",
  },
  {
    name: "MIRROR_SCHEDULE",
    area: "mirror",
    scope: "app",
    required: "optional",
    secret: false,
    description: "NCRONTAB (six fields) of the mirror timer. Default 0 0 * * * * (hourly).",
  },
  {
    name: "MIRROR_RESOLVE_TTL",
    area: "mirror",
    scope: "app",
    required: "optional",
    secret: false,
    description: "Seconds a resolved site/drive id is reused. Default 3600.",
  },
];
