/**
 * Pipeline timing settings, read by src/config/pipeline.ts (docs/pipeline.md).
 * Part of the registry in src/config/settings.ts: add a line here when you add a setting.
 */
import type { SettingInfo } from "./types.js";

export const PIPELINE_SETTINGS: readonly SettingInfo[] = [
  {
    name: "STEP_DEADLINE_SECONDS",
    area: "pipeline",
    scope: "app",
    required: "optional",
    secret: false,
    description: "Deadline of one step, 5-480 s. Default 120.",
  },
  {
    name: "LEASE_MARGIN_SECONDS",
    area: "pipeline",
    scope: "app",
    required: "optional",
    secret: false,
    description:
      "A worker's lease on a job lasts the step deadline plus this margin (time to write the result), 1-60 s. Default 60.",
  },
  {
    name: "SWEEP_GRACE_SECONDS",
    area: "pipeline",
    scope: "app",
    required: "optional",
    secret: false,
    description: "The sweeper re-wakes a job this far overdue, 10-86400 s. Default 120.",
  },
  {
    name: "SWEEP_BATCH",
    area: "pipeline",
    scope: "app",
    required: "optional",
    secret: false,
    description: "Most jobs one sweeper run re-wakes, 1-1000. Default 200.",
  },
];
