/**
 * "Crashes" the process at the k-th I/O call across every port (docs/design.md "A crash-safety test worth having").
 * Each worker instance (one delivery, one sweep) is a generation; once a generation crashes, every further I/O
 * call of that generation throws too, as nothing runs in a dead process. `before`: the k-th call never happens;
 * `after`: it happens (the request lands) and the process dies before seeing the answer.
 */

import type { ByteSource } from "../../../src/core/ports/common.js";
import type { GraphPort } from "../../../src/core/ports/graph.js";
import type { SourceOpener } from "../../../src/core/ports/sources.js";
import type { JobStore, ThrottleStore, WakeQueue } from "../../../src/core/ports/stores.js";

export class CrashError extends Error {
  constructor(readonly at: string) {
    super(`simulated crash at ${at}`);
    this.name = "CrashError";
  }
}

export type CrashMode = "before" | "after";

export class CrashInjector {
  calls = 0;
  /** The label of every call so far, in order: a baseline run tells where a given call falls. */
  readonly labels: string[] = [];
  crashedAt: string | undefined;
  private generation = 0;
  private readonly dead = new Set<number>();

  constructor(
    private readonly crashAt: number,
    private readonly mode: CrashMode,
  ) {}

  newGeneration(): number {
    this.generation += 1;
    return this.generation;
  }

  async io<T>(generation: number, label: string, call: () => Promise<T>): Promise<T> {
    if (this.dead.has(generation)) throw new CrashError(`${label} (after death)`);
    this.calls += 1;
    this.labels.push(label);
    if (this.calls !== this.crashAt) return call();
    this.dead.add(generation);
    this.crashedAt = `#${this.calls} ${label} (${this.mode})`;
    if (this.mode === "after") {
      try {
        await call();
      } catch {
        // The answer is lost with the process either way.
      }
    }
    throw new CrashError(this.crashedAt);
  }

  jobStore(store: JobStore, g: number): JobStore {
    return {
      createJobs: (jobs) => this.io(g, "table.createJobs", () => store.createJobs(jobs)),
      get: (jobId, requestId) => this.io(g, "table.get", () => store.get(jobId, requestId)),
      replace: (next, etag) => this.io(g, "table.replace", () => store.replace(next, etag)),
      listByRequest: (id) => this.io(g, "table.listByRequest", () => store.listByRequest(id)),
      listOverdue: (now, limit) => this.io(g, "table.listOverdue", () => store.listOverdue(now, limit)),
    };
  }

  throttle(store: ThrottleStore, g: number): ThrottleStore {
    return {
      blockedUntil: (d) => this.io(g, "throttle.get", () => store.blockedUntil(d)),
      block: (d, u) => this.io(g, "throttle.block", () => store.block(d, u)),
    };
  }

  queue(queue: WakeQueue, g: number): WakeQueue {
    return { send: (m, d) => this.io(g, "queue.send", () => queue.send(m, d)) };
  }

  graph(graph: GraphPort, g: number): GraphPort {
    return {
      resolveDrive: (d, s) => this.io(g, "graph.resolveDrive", () => graph.resolveDrive(d, s)),
      simpleUpload: (t, b, c, s) => this.io(g, "graph.simpleUpload", () => graph.simpleUpload(t, b, c, s)),
      createUploadSession: (t, o, s) =>
        this.io(g, "graph.createUploadSession", () => graph.createUploadSession(t, o, s)),
      uploadFragment: (u, f, s, o) =>
        this.io(g, "graph.uploadFragment", () => graph.uploadFragment(u, f, s, o)),
      getUploadStatus: (u, s) => this.io(g, "graph.getUploadStatus", () => graph.getUploadStatus(u, s)),
      cancelUploadSession: (u, s) =>
        this.io(g, "graph.cancelUploadSession", () => graph.cancelUploadSession(u, s)),
      getItem: (t, s) => this.io(g, "graph.getItem", () => graph.getItem(t, s)),
      commitUploadSession: (t, u, c, s) =>
        this.io(g, "graph.commitUploadSession", () => graph.commitUploadSession(t, u, c, s)),
      ensureParentFolders: (t, s) =>
        this.io(g, "graph.ensureParentFolders", () => graph.ensureParentFolders(t, s)),
    };
  }

  sources(opener: SourceOpener, g: number): SourceOpener {
    return {
      open: (ref) => {
        const source = opener.open(ref);
        const wrapped: ByteSource = {
          description: source.description,
          fingerprint: (signal) => this.io(g, "source.fingerprint", () => source.fingerprint(signal)),
          read: (offset, length, expected, signal) =>
            this.io(g, "source.read", () => source.read(offset, length, expected, signal)),
        };
        return wrapped;
      },
    };
  }
}
