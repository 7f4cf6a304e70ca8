/**
 * Timing of the queue pipeline (docs/pipeline.md "Timing"). The step deadline must sit well inside the
 * function timeout (host.json `functionTimeout`, 10 minutes), and the lease must outlive the step deadline so
 * that no second worker can start while the first may still be doing I/O (docs/design.md invariant 2).
 */

import { ConfigError, type FieldProblem, wholeNumberSetting } from "../core/shared/validationError.js";
import type { Env } from "./auth.js";

export interface PipelineConfig {
  /** Deadline of one step (all its Graph and source I/O), in ms. */
  readonly stepDeadlineMs: number;
  /** How long a worker's lease on a job lasts: step deadline plus time to write the result. */
  readonly leaseMs: number;
  /** A job is overdue, and the sweeper re-wakes it, when its wake time is this far in the past (ms). */
  readonly sweepGraceMs: number;
  /** Most jobs one sweeper run re-wakes. */
  readonly sweepBatch: number;
}

export const PIPELINE_DEFAULTS = {
  stepDeadlineSeconds: 120,
  leaseMarginSeconds: 60,
  sweepGraceSeconds: 120,
  sweepBatch: 200,
} as const;

/** host.json functionTimeout is 10 minutes; a step plus its lease margin must end well before it. */
const MAX_STEP_DEADLINE_SECONDS = 480;
/** Step deadline (480) plus margin (60) stays inside the 10-minute functionTimeout. */
const MAX_LEASE_MARGIN_SECONDS = 60;

export function parsePipelineConfig(env: Env): PipelineConfig {
  const problems: FieldProblem[] = [];
  const deadline = wholeNumberSetting(
    env.STEP_DEADLINE_SECONDS,
    "STEP_DEADLINE_SECONDS",
    PIPELINE_DEFAULTS.stepDeadlineSeconds,
    5,
    MAX_STEP_DEADLINE_SECONDS,
    problems,
  );
  // The margin covers writing the step's result after the deadline fired; a short one is for tests that kill a
  // worker mid-step and want its lease to expire quickly.
  const margin = wholeNumberSetting(
    env.LEASE_MARGIN_SECONDS,
    "LEASE_MARGIN_SECONDS",
    PIPELINE_DEFAULTS.leaseMarginSeconds,
    1,
    MAX_LEASE_MARGIN_SECONDS,
    problems,
  );
  const grace = wholeNumberSetting(
    env.SWEEP_GRACE_SECONDS,
    "SWEEP_GRACE_SECONDS",
    PIPELINE_DEFAULTS.sweepGraceSeconds,
    10,
    86_400,
    problems,
  );
  const batch = wholeNumberSetting(
    env.SWEEP_BATCH,
    "SWEEP_BATCH",
    PIPELINE_DEFAULTS.sweepBatch,
    1,
    1000,
    problems,
  );
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    stepDeadlineMs: deadline * 1000,
    leaseMs: (deadline + margin) * 1000,
    sweepGraceMs: grace * 1000,
    sweepBatch: batch,
  };
}
