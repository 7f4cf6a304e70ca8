/**
 * The shared dependencies of every function in one instance, built lazily once and then reused (a Functions
 * instance serves many invocations; building clients per invocation wastes connections and cold-start time).
 * Configuration is read from the environment here, once: the entry point, not the libraries, reads
 * process.env (docs/design.md "Habits").
 *
 * Tests and the local host install their own pieces with {@link setRuntime}; each member is a memoised
 * factory, so a function that never needs Graph never builds a Graph client.
 */
import type { Env } from "../config/auth.js";
import { type PipelineConfig, parsePipelineConfig } from "../config/pipeline.js";
import { parseStorageConfig, type StorageConfig } from "../config/storage.js";
import { JobRowCache } from "../core/pipeline/jobRowCache.js";
import type { PipelineLog } from "../core/pipeline/pipelineLog.js";
import { type Clock, systemClock } from "../core/ports/common.js";
import { createStorage, type Storage } from "../store/factory.js";
import type { StepEngine } from "./stepEngine.js";

export interface Runtime {
  readonly env: Env;
  readonly clock: Clock;
  readonly log: PipelineLog;
  storageConfig(): StorageConfig;
  pipelineConfig(): PipelineConfig;
  /** Storage clients and stores; the tables and queues exist once this resolves. */
  storage(): Promise<Storage>;
  /** The upload engine wired to Graph and the sources. */
  engine(): Promise<StepEngine>;
  /** The rows this instance's workers just wrote, so a job's next step can skip reading its row. */
  readonly rowCache: JobRowCache;
}

export interface RuntimeParts {
  readonly env?: Env;
  readonly clock?: Clock;
  readonly log?: PipelineLog;
  readonly storage?: () => Promise<Storage>;
  readonly engine?: () => Promise<StepEngine>;
}

let current: Runtime | undefined;

/** The instance's runtime, built from process.env on first use. */
export function runtime(): Runtime {
  current ??= createRuntime({ env: process.env });
  return current;
}

/** Installs a runtime (tests, the local host); `undefined` returns to the lazy default. */
export function setRuntime(next: Runtime | undefined): void {
  current = next;
}

export function createRuntime(parts: RuntimeParts): Runtime {
  const env = parts.env ?? {};
  const clock = parts.clock ?? systemClock;
  const storageConfig = once(() => parseStorageConfig(env));
  const storage = once(
    parts.storage ??
      (async () => {
        const built = createStorage(storageConfig(), { clock });
        await built.ensureResources();
        return built;
      }),
  );
  const engine = once(
    parts.engine ??
      (async () => {
        // Imported lazily: HTTP-only instances never load the engine and its Graph client.
        const { createStepEngine } = await import("./engineWiring.js");
        return createStepEngine(env, await storage(), clock);
      }),
  );
  return {
    env,
    clock,
    log: parts.log ?? jsonLog,
    storageConfig,
    pipelineConfig: once(() => parsePipelineConfig(env)),
    storage,
    engine,
    rowCache: new JobRowCache(),
  };
}

/** One JSON object per line (docs/design.md "Structured logs"); events never carry secrets (see pipelineLog.ts). */
const jsonLog: PipelineLog = (event) => {
  console.log(JSON.stringify({ time: new Date().toISOString(), ...event }));
};

/** Memoises a factory; a failed async build is forgotten so the next call can retry. */
function once<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => {
    if (built) return built.value;
    const value = build();
    built = { value };
    if (value instanceof Promise)
      value.catch(() => {
        built = undefined;
      });
    return value;
  };
}
