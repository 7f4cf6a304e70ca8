/**
 * The pipeline with the real engine over real sockets to the Graph emulator and a real local file, on the
 * in-memory store and queue twins and one injected clock (shared with the emulator), every port wrapped by a
 * CrashInjector. One delivery = one fresh worker instance (a new injector generation). The instances share one
 * row cache, as invocations in one Functions instance do (src/app/services.ts): an injected crash fails an
 * invocation, not the process, so the cache outlives it, and every crash point is also a cached-row case.
 */
import { StaticTokenProvider } from "../../../src/auth/staticToken.js";
import type { UploadJob } from "../../../src/core/job/job.js";
import { JobRowCache } from "../../../src/core/pipeline/jobRowCache.js";
import type { PipelineLog } from "../../../src/core/pipeline/pipelineLog.js";
import type { WorkerDeps } from "../../../src/core/pipeline/worker.js";
import type { JobStore, WakeQueue } from "../../../src/core/ports/stores.js";
import { ChunkBufferPool } from "../../../src/core/upload/bufferPool.js";
import { cancelJob, type EngineDeps, newJob, resumeJob, step } from "../../../src/core/upload/engine.js";
import { DEFAULT_POLICY } from "../../../src/core/upload/policy.js";
import { DEFAULT_TOKEN, type RunningEmulator } from "../../../src/emulator/index.js";
import { GraphClient } from "../../../src/graph/client.js";
import { createSourceOpener } from "../../../src/sources/opener.js";
import { MemoryJobStore } from "../../../src/store/memoryJobStore.js";
import { MemoryThrottleStore } from "../../../src/store/memoryThrottleStore.js";
import { MemoryWakeQueue } from "../../../src/store/memoryWakeQueue.js";
import { CrashError, CrashInjector, type CrashMode } from "./crashInjector.js";
import type { ManualClock } from "./manualClock.js";
import { QueueHost } from "./queueHost.js";

export const LEASE_MS = 180_000;
export const GRACE_MS = 120_000;

export interface RealPipelineOptions {
  readonly emu: RunningEmulator;
  readonly clock: ManualClock;
  readonly crashAt?: number;
  readonly mode?: CrashMode;
  /** Decides, per sent message, whether it is delivered twice (at-least-once delivery). */
  readonly duplicate?: () => boolean;
  /** Deadline of each Graph request (default 10 s); the final fragment has the policy's longer one. */
  readonly requestTimeoutMs?: number;
  /** The job store (default: the in-memory twin); the Table adapter on Azurite for lease tests. */
  readonly store?: JobStore;
  /** How long the host keeps a message invisible while its function runs (default: Azure's 10 minutes). */
  readonly processingVisibilityMs?: number;
  /** Receives the sweeper's and the workers' log events. */
  readonly log?: PipelineLog;
}

export function realPipeline(options: RealPipelineOptions) {
  const { emu, clock } = options;
  const injector = new CrashInjector(options.crashAt ?? Number.POSITIVE_INFINITY, options.mode ?? "before");
  const store = options.store ?? new MemoryJobStore();
  const throttle = new MemoryThrottleStore();
  const queue = new MemoryWakeQueue(clock);
  const rowCache = new JobRowCache();
  // One pool, and so one read-ahead cache, for every worker, as one Functions instance keeps (engineWiring.ts).
  // It outlives the injector's "crashes" on purpose: a read-ahead left by a step that died must never be used
  // wrongly by the next one (src/core/upload/prefetch.ts).
  const buffers = new ChunkBufferPool();
  const sender: WakeQueue = {
    send: async (message, delayMs) => {
      await queue.send(message, delayMs);
      if (options.duplicate?.()) await queue.send(message, delayMs);
    },
  };
  const graph = new GraphClient({
    baseUrl: emu.graphBaseUrl,
    tokens: new StaticTokenProvider(DEFAULT_TOKEN),
    requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
  });
  const sources = createSourceOpener({ requestTimeoutMs: 10_000 });
  let stepCalls = 0;
  let inFlight = 0;
  let maxInFlight = 0;

  const worker = (): WorkerDeps & { queue: WakeQueue } => {
    const g = injector.newGeneration();
    const engine: EngineDeps = {
      graph: injector.graph(graph, g),
      sources: injector.sources(sources, g),
      clock,
      random: () => 0.5,
      policy: DEFAULT_POLICY,
      buffers,
    };
    return {
      store: injector.jobStore(store, g),
      throttle: injector.throttle(throttle, g),
      queue: injector.queue(sender, g),
      clock,
      runStep: async (job, signal) => {
        stepCalls += 1;
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        try {
          return await step(job, engine, signal);
        } finally {
          inFlight -= 1;
        }
      },
      cancelJob: (job, signal) => cancelJob(job, engine, signal),
      resume: resumeJob,
      leaseMs: LEASE_MS,
      stepDeadlineMs: 60_000,
      rowCache,
      ...(options.log ? { log: options.log } : {}),
    };
  };

  const host = new QueueHost({
    queue,
    clock,
    worker,
    poison: () => {
      const g = injector.newGeneration();
      return { store: injector.jobStore(store, g), clock };
    },
    sweeper: () => {
      const g = injector.newGeneration();
      return {
        store: injector.jobStore(store, g),
        queue: injector.queue(sender, g),
        clock,
        graceMs: GRACE_MS,
        batch: 100,
        ...(options.log ? { log: options.log } : {}),
      };
    },
    isCrash: (error) => error instanceof CrashError,
    ...(options.processingVisibilityMs ? { processingVisibilityMs: options.processingVisibilityMs } : {}),
  });

  async function submit(init: {
    jobId: string;
    sourcePath: string;
    driveId: string;
    path: string;
    chunkSize: number;
  }) {
    const job: UploadJob = newJob({
      jobId: init.jobId,
      requestId: `req-${init.jobId}`,
      source: { type: "file", path: init.sourcePath },
      destination: { type: "drive", driveId: init.driveId, path: init.path },
      conflictBehavior: "replace",
      chunkSize: init.chunkSize,
      simpleUploadMax: 64 * 1024,
      now: clock.now(),
    });
    await store.createJobs([job]);
    await queue.send({ jobId: job.jobId, requestId: job.requestId, wakeSeq: 0 }, 0);
    return job;
  }

  return {
    injector,
    store,
    throttle,
    queue,
    host,
    submit,
    stepCalls: () => stepCalls,
    /** Most steps that ever ran at once (one job per pipeline: invariant 2 says 1). */
    engineConcurrency: () => maxInFlight,
  };
}
