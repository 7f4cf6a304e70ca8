/**
 * What the step machine needs from its driver (engine.ts `step`). Its own module so that the step's phases can
 * name it without importing engine.ts, which imports them: src/ allows no import cycle, type-only ones included
 * (`npm run lint:arch`).
 */
import type { Clock } from "../ports/common.js";
import type { GraphPort } from "../ports/graph.js";
import type { SourceOpener } from "../ports/sources.js";
import type { ChunkBufferPool } from "./bufferPool.js";
import type { EnginePolicy } from "./policy.js";
import type { PrefetchCache } from "./prefetch.js";

export interface EngineDeps {
  graph: GraphPort;
  sources: SourceOpener;
  clock: Clock;
  random: () => number;
  policy: EnginePolicy;
  /** Reused fragment buffers (optional): keeps memory flat at two chunks per active job. */
  buffers?: ChunkBufferPool;
  /**
   * Where fragments read ahead wait for the job's next step (docs/upload.md "Overlap"): by default the buffer
   * pool's, one per process, so every driver with a pool gets it; `"off"` reads each fragment in its own step.
   */
  prefetch?: PrefetchCache | "off";
}

/** The read-ahead cache a step uses, if any. */
export function prefetchOf(deps: EngineDeps): PrefetchCache | undefined {
  if (deps.prefetch === "off") return undefined;
  return deps.prefetch ?? deps.buffers?.prefetch;
}
