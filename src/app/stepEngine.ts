/** The engine as the queue pipeline uses it: one step, cancellation (which deletes the upload session), resume. */
import type { StepRunner, WorkerDeps } from "../core/pipeline/worker.js";

export interface StepEngine {
  readonly runStep: StepRunner;
  readonly cancelJob: StepRunner;
  readonly resume?: StepResume;
}
export type StepResume = NonNullable<WorkerDeps["resume"]>;
