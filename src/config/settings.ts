/**
 * Every environment setting graph-mirror reads, in one list: its name, whether it must be set, whether it holds a
 * secret, and what it does. The parsers in src/config (and src/mirror/settings.ts, src/localhost/settings.ts) stay
 * the source of truth for defaults and validation; this list exists so the deployment (infra/main.bicep), the
 * runbook (docs/runbook.md) and local.settings.sample.json can be checked against the code.
 * test/unit/infra/settingsCatalog.test.ts runs the parsers (its PARSERS list: add a new parser there) with a
 * recording environment and fails when one of them reads a setting that is missing here, or when an entry here is
 * read by none of them; test/unit/infra/appSettings.test.ts then requires every `app` setting to be set by the
 * template or listed in docs/runbook.md "Settings". Add a line when you add a setting: in the area's list in
 * src/config/settings/ (one file per area, next to the parser that reads it).
 */
import { AUTH_SETTINGS } from "./settings/auth.js";
import { GRAPH_SETTINGS } from "./settings/graph.js";
import { HTTP_API_SETTINGS } from "./settings/httpApi.js";
import { MIRROR_SETTINGS } from "./settings/mirror.js";
import { PIPELINE_SETTINGS } from "./settings/pipeline.js";
import { PLATFORM_SETTINGS } from "./settings/platform.js";
import { SFTP_SETTINGS } from "./settings/sftp.js";
import { STORAGE_SETTINGS } from "./settings/storage.js";
import type { SettingInfo } from "./settings/types.js";

export type { SettingArea, SettingInfo, SettingScope } from "./settings/types.js";

/** The area lists in the order the registry has always had (the order is not significant to any reader). */
export const SETTINGS: readonly SettingInfo[] = [
  ...AUTH_SETTINGS,
  ...GRAPH_SETTINGS,
  ...STORAGE_SETTINGS,
  ...PIPELINE_SETTINGS,
  ...HTTP_API_SETTINGS,
  ...SFTP_SETTINGS,
  ...PLATFORM_SETTINGS,
  ...MIRROR_SETTINGS,
];

export function settingInfo(name: string): SettingInfo | undefined {
  return SETTINGS.find((setting) => setting.name === name);
}
