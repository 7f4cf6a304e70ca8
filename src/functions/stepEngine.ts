/**
 * The engine as the pipeline uses it. Its own module so that runtime.ts (which loads the engine lazily) and
 * engineWiring.ts (which builds it) both import the type from here instead of from each other.
 */
import type { StepRunner, WorkerDeps } from "../core/pipeline/worker.js";

/** The engine as the pipeline uses it: one step, and cancellation (which deletes the upload session). */
export interface StepEngine {
  readonly runStep: StepRunner;
  readonly cancelJob: StepRunner;
  readonly resume?: StepResume;
}
export type StepResume = NonNullable<WorkerDeps["resume"]>;
