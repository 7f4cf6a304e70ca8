/**
 * The step machine (docs/design.md "The shape"). `step(job)` does at most one chunk's worth of Graph I/O: resolve the
 * target, or create a session, or send one fragment, or ask the session status and resync, or verify. It never
 * sleeps: delays come back as `{ type: "wait" }` for the caller (CLI timers, queue visibility delays).
 *
 * Invariants kept here (docs/design.md, docs/graph-protocol.md):
 * - The server decides the offset: the next offset always comes from nextExpectedRanges.
 * - Persist-before-use: creating a session and sending the first fragment are separate steps, so the caller
 *   saves the upload URL before any bytes go out.
 * - `job.hash` covers exactly the bytes the server confirmed; the result is checked against the driveItem.
 */

import { advanceHash, EMPTY_HASH, type InMemoryBytes } from "../job/hashProgress.js";
import {
  isTerminal,
  type JobError,
  type JobEvent,
  type ResolvedTarget,
  type StepResult,
  type UploadJob,
} from "../job/job.js";
import { type ByteSource, type Clock, SourceChangedError, type SourceFingerprint } from "../ports/common.js";
import type { DriveItem, GraphPort } from "../ports/graph.js";
import { GraphFailure } from "../ports/graphFailure.js";
import type { SourceOpener } from "../ports/sources.js";
import { backoffDelay } from "../shared/backoff.js";
import { pathProblems } from "../shared/names.js";
import { QuickXorHash, type QuickXorState } from "../shared/quickXorHash.js";
import { parseExpectedRanges } from "../shared/ranges.js";
import type { ChunkBufferPool } from "./bufferPool.js";
import { FRAGMENT_QUANTUM, type Fragment, nextFragment, uploadMethod } from "./chunkPlan.js";
import { DEFAULT_CHUNK_SIZING, fragmentLength, resizedJob, sizeAfterTimeout } from "./chunkSizing.js";
import { classifyFailure, jobError, type Operation } from "./errorClassification.js";
import {
  applyDecision,
  complete,
  failJob,
  type OutcomeDeps,
  proceed,
  restartSession,
  touch,
  waitFor,
} from "./outcomes.js";
import { type ReadAhead, readNext, sendOverlapped } from "./overlap.js";
import { budgetExceeded, countingGraph, paced } from "./pacing.js";
import type { EnginePolicy } from "./policy.js";
import { PrefetchCache } from "./prefetch.js";
import { sessionExpiry } from "./sessionExpiry.js";
import { afterSourceChange } from "./sourceChange.js";
import { type Provenance, verifyUpload } from "./verify.js";

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
function prefetchOf(deps: EngineDeps): PrefetchCache | undefined {
  if (deps.prefetch === "off") return undefined;
  return deps.prefetch ?? deps.buffers?.prefetch;
}

export { type NewJobInit, newJob, reopenFailedJob, resumeJob } from "../job/lifecycle.js";

export async function step(job: UploadJob, deps: EngineDeps, signal?: AbortSignal): Promise<StepResult> {
  if (isTerminal(job.status)) return { job, next: terminalNext(job), events: [] };
  const now = deps.clock.now();
  const counting = countingGraph(deps.graph);
  const run = new StepRun(touch(job, now), { ...deps, graph: counting.port }, signal);
  const overBudget = budgetExceeded(job, deps.policy);
  const result = overBudget ? await run.giveUp(overBudget) : await run.execute();
  const stepped = paced(job, result, counting.count(), now, deps.random, deps.policy);
  // A read-ahead serves only a next step that follows at once; any wait or end is a doubt (prefetch.ts).
  if (stepped.next.type !== "continue") prefetchOf(deps)?.discard(job.jobId);
  return stepped;
}

export async function cancelJob(job: UploadJob, deps: EngineDeps, signal?: AbortSignal): Promise<StepResult> {
  if (isTerminal(job.status)) return { job, next: terminalNext(job), events: [] };
  const now = deps.clock.now();
  if (job.session) {
    try {
      await deps.graph.cancelUploadSession(job.session.uploadUrl, signal);
    } catch {
      // Best effort: an unreachable or already-gone session expires on its own (docs/graph-protocol.md).
    }
  }
  const cancelled: UploadJob = {
    ...touch(job, now),
    status: "cancelled",
    session: undefined,
    resyncPending: undefined,
  };
  return { job: cancelled, next: { type: "cancelled" }, events: [] };
}

function terminalNext(job: UploadJob): StepResult["next"] {
  if (job.status === "completed" && job.result) return { type: "done", result: job.result };
  if (job.status === "cancelled") return { type: "cancelled" };
  return {
    type: "failed",
    error: job.lastError ?? { code: "failed", message: "the job failed earlier" },
  };
}

/** One step over one job: holds the job being built and the step's dependencies. */
class StepRun {
  private readonly now: number;
  private readonly outcome: OutcomeDeps;
  private sourceHandle: ByteSource | undefined;

  constructor(
    private readonly job: UploadJob,
    private readonly deps: EngineDeps,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.now = deps.clock.now();
    this.outcome = {
      now: this.now,
      policy: deps.policy,
      cancelSession: async (j) => {
        if (!j.session) return;
        try {
          await deps.graph.cancelUploadSession(j.session.uploadUrl, signal);
        } catch {
          // Best effort: a session we cannot reach expires on its own.
        }
      },
    };
  }

  async execute(): Promise<StepResult> {
    const job = this.job;
    if (!job.fingerprint || !job.target) return this.prepare();
    const size = job.fingerprint.size;
    if (uploadMethod(size, job.simpleUploadMax) === "simple")
      return this.simpleUpload(job.target, job.fingerprint);
    if (job.status === "verifying") return this.verifyStored(job.target, job.fingerprint);
    if (!job.session) return this.createSession(job.target);
    const expired = sessionExpiry(job.session, this.now, this.deps.policy);
    // Our own clock says so, not the server: delete it before making a new one (restartSession).
    if (expired)
      return restartSession(job, jobError("session-expired", expired), this.outcome, { gone: false });
    if (job.resyncPending) return this.resync(job.target, job.fingerprint);
    return this.sendFragment(job.fingerprint);
  }

  /** The request budget ran out: fail with the reason (deleting the session, so it blocks nothing). */
  giveUp(error: JobError): Promise<StepResult> {
    return failJob(this.job, error, this.outcome);
  }

  private get source(): ByteSource {
    this.sourceHandle ??= this.deps.sources.open(this.job.source);
    return this.sourceHandle;
  }

  /** Fingerprint the source, validate the path, resolve the drive: everything before any upload call. */
  private async prepare(): Promise<StepResult> {
    let job = this.job;
    let fingerprint = job.fingerprint;
    if (!fingerprint) {
      try {
        fingerprint = await this.source.fingerprint(this.signal);
      } catch (err: unknown) {
        const message = (err instanceof Error ? err.message : String(err)).trim();
        return failJob(
          job,
          // Never an empty reason: a source error without a message still says which source failed.
          jobError(
            "source-unreadable",
            `cannot read the source: ${message || `${this.source.description} (no detail given)`}`,
          ),
          this.outcome,
        );
      }
      job = { ...job, fingerprint };
    }
    if (!job.target) {
      const early = pathProblems(job.destination.path);
      if (early.length > 0) return this.invalidPath(job, early);
      let target: ResolvedTarget;
      if (job.destination.type === "drive") {
        target = { driveId: job.destination.driveId, path: job.destination.path };
      } else {
        try {
          const drive = await this.deps.graph.resolveDrive(job.destination, this.signal);
          const problems = pathProblems(job.destination.path, drive.rootPath ?? "");
          if (problems.length > 0) return this.invalidPath(job, problems);
          target = { driveId: drive.driveId, path: job.destination.path };
        } catch (err: unknown) {
          return this.failure(job, err, "resolve");
        }
      }
      job = { ...job, target };
    }
    const method = uploadMethod(fingerprint.size, job.simpleUploadMax);
    const events: JobEvent[] = [{ type: "started", size: fingerprint.size, method }];
    return proceed({ ...job, status: "uploading", lastError: undefined }, events);
  }

  private invalidPath(job: UploadJob, problems: string[]): Promise<StepResult> {
    return failJob(
      job,
      jobError("invalid-name", `invalid destination path: ${problems.join("; ")}`),
      this.outcome,
    );
  }

  private async simpleUpload(target: ResolvedTarget, fingerprint: SourceFingerprint): Promise<StepResult> {
    const job = this.job;
    // The file's size from the pool's size class, not a chunk buffer (docs/upload.md "Memory").
    const pool = this.deps.buffers;
    const scratch = fingerprint.size > 0 ? pool?.acquire(fingerprint.size) : undefined;
    let reusable = true;
    try {
      let bytes: Uint8Array;
      try {
        bytes = await this.source.read(0, fingerprint.size, fingerprint, this.signal, scratch);
      } catch (err: unknown) {
        return this.sourceFailure(job, err);
      }
      const hash = new QuickXorHash().update(bytes).state();
      let item: DriveItem;
      try {
        item = await this.deps.graph.simpleUpload(target, bytes, job.conflictBehavior, this.signal);
      } catch (err: unknown) {
        reusable = false;
        return this.failure(job, err, "simple-upload");
      }
      return await this.finish({ ...job, hash, confirmedOffset: fingerprint.size }, item, "answer");
    } finally {
      if (pool && scratch && reusable) pool.release(scratch);
    }
  }

  private async createSession(target: ResolvedTarget): Promise<StepResult> {
    const job = this.job;
    if (job.attempts.sessions >= this.deps.policy.maxSessions) {
      return restartSession(job, job.lastError ?? jobError("session-limit", "no session"), this.outcome, {
        gone: true,
      });
    }
    try {
      const info = await this.deps.graph.createUploadSession(
        target,
        { conflict: job.conflictBehavior },
        this.signal,
      );
      const sessionNumber = job.attempts.sessions + 1;
      const recreated = job.attempts.sessions > 0;
      const events: JobEvent[] = [
        recreated
          ? { type: "session-recreated", reason: job.lastError?.code ?? "restart", sessionNumber }
          : { type: "session-created", sessionNumber },
      ];
      const next: UploadJob = {
        ...job,
        status: "uploading",
        session: {
          uploadUrl: info.uploadUrl,
          createdAt: this.now,
          expiresAt: info.expiresAt ?? this.now + this.deps.policy.sessionLifetimeMs,
        },
        confirmedOffset: 0,
        hash: EMPTY_HASH,
        resyncPending: undefined,
        missingRangeEnd: undefined,
        sessionBusySince: undefined,
        attempts: { ...job.attempts, sessions: sessionNumber, notFound: 0 },
      };
      return proceed(next, events);
    } catch (err: unknown) {
      if (err instanceof GraphFailure && err.status === 409) return this.sessionRefused(target, err);
      if (err instanceof GraphFailure && err.status === 404 && !job.attempts.foldersEnsured) {
        return this.createParentFolders(target, err);
      }
      return this.failure(job, err, "create-session");
    }
  }

  /**
   * 409 at createUploadSession. Under `fail` with an item at the path it is a name conflict. Otherwise another
   * session holds the file (OneDrive for Business and SharePoint keep one live session per file: one whose
   * answer was lost, or another program's), or the file is open in Office for the web (docs/graph-protocol.md). Neither is a
   * name conflict, and we do not hold that session's URL to delete it: wait for it to expire, with backoff,
   * up to a cap, then fail with what a person can do.
   */
  private async sessionRefused(target: ResolvedTarget, refusal: GraphFailure): Promise<StepResult> {
    const job = this.job;
    if (job.conflictBehavior === "fail") {
      let existing: DriveItem | undefined;
      try {
        existing = await this.deps.graph.getItem(target, this.signal);
      } catch (err: unknown) {
        return this.failure(job, err, "get-item");
      }
      if (existing) return this.failure(job, refusal, "create-session");
    }
    const policy = this.deps.policy;
    const since = job.sessionBusySince ?? this.now;
    const waited = this.now - since;
    const busy = {
      ...jobError(
        "session-busy",
        "another upload session holds this file (an earlier attempt whose answer was lost, or another " +
          "program's upload), or the file is open in Office for the web",
      ),
      httpStatus: 409,
      ...(refusal.graphCode !== undefined ? { graphCode: refusal.graphCode } : {}),
      ...(refusal.requestId !== undefined ? { requestId: refusal.requestId } : {}),
    };
    if (waited >= policy.sessionBusyMaxWaitMs) {
      const minutes = Math.round(waited / 60_000);
      return failJob(
        job,
        {
          ...busy,
          message:
            `${busy.message}; waited ${minutes} min for it to end. It expires on its own: close the file ` +
            "wherever it is open, then retry later",
        },
        this.outcome,
      );
    }
    const waits = job.lastError?.code === "session-busy" ? job.attempts.retries : 0;
    const delayMs = backoffDelay(waits, this.deps.random, policy.sessionBusyBackoff);
    const waiting: UploadJob = {
      ...job,
      sessionBusySince: since,
      attempts: { ...job.attempts, retries: waits + 1 },
    };
    return waitFor(
      waiting,
      { ...busy, message: `${busy.message}; waiting for it to end` },
      delayMs,
      this.outcome,
    );
  }

  /** createUploadSession answered 404: the parent folders may be missing (reports disagree). Create them once. */
  private async createParentFolders(target: ResolvedTarget, notFound: GraphFailure): Promise<StepResult> {
    const job = this.job;
    if (!target.path.slice(1).includes("/")) return this.failure(job, notFound, "create-session");
    try {
      await this.deps.graph.ensureParentFolders(target, this.signal);
    } catch (err: unknown) {
      return this.failure(job, err, "resolve");
    }
    return proceed({ ...job, attempts: { ...job.attempts, foldersEnsured: true } });
  }

  /** Ask the server what it holds; continue from there (after any doubt, and after a restart). */
  private async resync(target: ResolvedTarget, fingerprint: SourceFingerprint): Promise<StepResult> {
    const job = this.job;
    const session = job.session;
    if (!session) return proceed(job);
    let status: Awaited<ReturnType<GraphPort["getUploadStatus"]>>;
    try {
      status = await this.deps.graph.getUploadStatus(session.uploadUrl, this.signal);
    } catch (err: unknown) {
      if (err instanceof GraphFailure && err.status === 404) {
        if ((job.attempts.notFound ?? 0) < 1) return this.sessionNotFoundOnce(err);
        return this.probeFinishedUpload(target, fingerprint, err);
      }
      return this.failure(job, err, "status");
    }
    const answered = { ...job, attempts: { ...job.attempts, notFound: 0 } };
    return this.applyServerRanges(
      answered,
      status.nextExpectedRanges,
      status.expiresAt,
      undefined,
      "resynced",
    );
  }

  /**
   * A first 404 on the upload URL does not declare the session gone: right after creation, and under load, the
   * service answers 404 for a session that is there (rclone backend/onedrive `uploadFragment`: "assuming
   * eventual consistency problem with session - retrying chunk", after 5 s). Wait, then ask the status; a
   * second 404 in a row means gone.
   */
  private async sessionNotFoundOnce(notFound: GraphFailure): Promise<StepResult> {
    const job = this.job;
    const waiting: UploadJob = {
      ...job,
      attempts: { ...job.attempts, notFound: (job.attempts.notFound ?? 0) + 1 },
    };
    const decision = {
      action: "retry-after" as const,
      error: jobError(
        "session-not-found",
        `the upload session was not found (${notFound.message}); asking again`,
      ),
      delayMs: this.deps.policy.notFoundRetryMs,
      resync: true,
      throttleDrive: false,
    };
    return applyDecision(waiting, decision, this.outcome);
  }

  /**
   * The session is declared gone after a fragment whose answer we never saw. If that fragment was the last one,
   * the file may be complete: look the item up and take it only if it is provably ours (verify.ts), so a
   * fragment that landed is not sent again (docs/graph-protocol.md: a "failed" PUT may have landed).
   */
  private async probeFinishedUpload(
    target: ResolvedTarget,
    fingerprint: SourceFingerprint,
    notFound: GraphFailure,
  ): Promise<StepResult> {
    const job = this.job;
    const gone = jobError("session-not-found", `the upload session is gone (${notFound.message})`);
    const restart = () => restartSession(job, gone, this.outcome, { gone: true });
    // The lost fragment could have been the last one only if the rest fits in one; a size sized to the link may
    // have shrunk since it went out, so such a job allows its largest size (chunkSizing.ts).
    const largest = job.autoChunk
      ? Math.max(job.chunkSize, (this.deps.policy.chunkSizing ?? DEFAULT_CHUNK_SIZING).maxBytes)
      : job.chunkSize;
    if (fingerprint.size - job.confirmedOffset > largest) return restart();
    const hashed = await this.hashThrough(job, fingerprint, fingerprint.size);
    if ("failed" in hashed) return hashed.failed;
    let item: DriveItem | undefined;
    try {
      item = await this.deps.graph.getItem(target, this.signal);
    } catch (err: unknown) {
      return this.failure(job, err, "get-item");
    }
    if (!item) return restart();
    const finished = { ...job, hash: hashed.hash, confirmedOffset: fingerprint.size };
    return this.finish(finished, item, { foundAfter: job.session?.createdAt ?? job.createdAt }, restart);
  }

  /**
   * Sends one fragment. While it is on the wire the step hashes it and reads the next one (overlap.ts); the
   * read-ahead is kept for the next step only when the server confirmed exactly up to it (prefetch.ts).
   */
  private async sendFragment(fingerprint: SourceFingerprint): Promise<StepResult> {
    const job = this.job;
    const session = job.session;
    if (!session) return proceed(job);
    const size = fingerprint.size;
    const limits = this.deps.policy.chunkSizing ?? DEFAULT_CHUNK_SIZING;
    const planned = nextFragment(
      { start: job.confirmedOffset, end: job.missingRangeEnd ?? size - 1 },
      size,
      fragmentLength(job, size, limits),
    );
    const pool = this.deps.buffers;
    const cache = prefetchOf(this.deps);
    const ready = cache && this.takeReadAhead(cache, planned);
    const scratch = ready ? ready.buffer : pool?.acquire(planned.length);
    // A failed PUT may still be streaming from the buffer: only a buffer whose request finished goes back.
    let reusable = true;
    let ahead: ReadAhead | undefined;
    try {
      let bytes: Uint8Array;
      if (ready) {
        bytes = ready.bytes;
      } else {
        try {
          bytes = await this.source.read(planned.start, planned.length, fingerprint, this.signal, scratch);
        } catch (err: unknown) {
          return this.sourceFailure(job, err);
        }
      }
      const fragment: Fragment = { ...planned, length: bytes.byteLength };
      // The final fragment's answer waits for the commit: minutes for a large file (docs/graph-protocol.md),
      // so it gets a longer deadline than the others instead of being taken for lost and sent again.
      const final = fragment.start + fragment.length === size;
      const sent = await sendOverlapped({
        send: () =>
          this.deps.graph.uploadFragment(
            session.uploadUrl,
            { start: fragment.start, bytes, total: size },
            this.signal,
            final ? { timeoutMs: this.deps.policy.finalFragmentTimeoutMs } : undefined,
          ),
        clock: this.deps.clock,
        bytes,
        hashFrom: job.hash.length === fragment.start ? job.hash : undefined,
        readAhead:
          cache && !final
            ? () =>
                readNext({
                  job,
                  fragment,
                  fingerprint,
                  source: this.source,
                  pool,
                  signal: this.signal,
                  limits,
                })
            : undefined,
        signal: this.signal,
      });
      ahead = sent.ahead;
      if (!sent.wire.ok) {
        reusable = false;
        return await this.fragmentFailed(job, sent.wire.error);
      }
      const outcome = sent.wire.outcome;
      const inMemory: InMemoryBytes = { start: fragment.start, bytes };
      const hashed = sent.hashed;
      if (outcome.kind === "completed")
        return await this.lastFragmentAnswered(outcome.item, inMemory, hashed);
      const sized = final ? job : resizedJob(job, { bytes: fragment.length, ms: sent.ms }, limits);
      const result = await this.applyServerRanges(
        sized,
        outcome.nextExpectedRanges,
        outcome.expiresAt,
        inMemory,
        "chunk",
        hashed,
      );
      if (ahead && cache) ahead = this.keepAhead(cache, result, ahead);
      return result;
    } finally {
      if (ahead && pool && ahead.buffer) pool.release(ahead.buffer);
      if (pool && scratch && reusable) pool.release(scratch);
    }
  }

  /** The final fragment's answer is the driveItem: hash through the end and verify it. */
  private async lastFragmentAnswered(
    item: DriveItem,
    inMemory: InMemoryBytes,
    hashed: QuickXorState | undefined,
  ): Promise<StepResult> {
    const job = this.job;
    const fingerprint = job.fingerprint as SourceFingerprint;
    const through = await this.hashThrough(job, fingerprint, fingerprint.size, inMemory, hashed);
    if ("failed" in through) return through.failed;
    return this.finish({ ...job, hash: through.hash, confirmedOffset: fingerprint.size }, item, "answer");
  }

  /** The read-ahead the step before left for this fragment, if it still matches (prefetch.ts). */
  private takeReadAhead(cache: PrefetchCache, planned: Fragment) {
    // The key as the step before stored it: before this step's touch() counted it.
    const before = { ...this.job, attempts: { ...this.job.attempts, steps: this.job.attempts.steps - 1 } };
    const key = PrefetchCache.keyFor(before, planned.start);
    return key && cache.take(key, planned.length, FRAGMENT_QUANTUM, this.now);
  }

  /** Leaves a read-ahead for the next step when the server confirmed exactly up to it; else gives it back. */
  private keepAhead(cache: PrefetchCache, result: StepResult, ahead: ReadAhead): ReadAhead | undefined {
    const next = result.job;
    const matches =
      result.next.type === "continue" &&
      next.status === "uploading" &&
      next.resyncPending !== true &&
      next.confirmedOffset === ahead.start &&
      next.session?.uploadUrl === this.job.session?.uploadUrl;
    const key = matches ? PrefetchCache.keyFor(next, ahead.start) : undefined;
    if (!key) return ahead;
    cache.store(key, ahead.bytes, ahead.buffer, this.now);
    return undefined;
  }

  /** A fragment's PUT failed: on a job sized to the link, a timeout halves the size (chunkSizing.ts). */
  private fragmentFailed(job: UploadJob, err: unknown): Promise<StepResult> {
    if (err instanceof GraphFailure && err.status === 404 && !this.signal?.aborted) {
      return this.sessionNotFoundOnce(err);
    }
    const timedOut = err instanceof GraphFailure && err.kind === "timeout";
    const shrunk = job.autoChunk && timedOut ? { ...job, chunkSize: sizeAfterTimeout(job.chunkSize) } : job;
    return this.failure(shrunk, err, "fragment");
  }

  /** Moves the job to the offset the server reported, hashing the newly confirmed bytes. */
  private async applyServerRanges(
    job: UploadJob,
    values: readonly string[],
    expiresAt: number | undefined,
    sent: InMemoryBytes | undefined,
    kind: "chunk" | "resynced",
    hashed?: QuickXorState,
  ): Promise<StepResult> {
    const fingerprint = job.fingerprint;
    const session = job.session;
    if (!fingerprint || !session) return proceed(job);
    const size = fingerprint.size;
    let ranges: ReturnType<typeof parseExpectedRanges>;
    try {
      ranges = parseExpectedRanges(values, size);
    } catch (err: unknown) {
      return this.failure(job, err, kind === "chunk" ? "fragment" : "status");
    }
    if (ranges.confirmed < job.hash.length) {
      // The server forgot bytes it had confirmed: nothing we hold can be trusted; start over (deleting the
      // session first: it is still alive, and the service allows one per file).
      return restartSession(
        job,
        jobError("server-regressed", "the server lost bytes it had confirmed"),
        this.outcome,
        { gone: false },
      );
    }
    const through = await this.hashThrough(job, fingerprint, ranges.confirmed, sent, hashed);
    if ("failed" in through) return through.failed;
    const hash = through.hash;
    const progressed = ranges.confirmed > job.confirmedOffset;
    const first = ranges.missing[0];
    const moved: UploadJob = {
      ...job,
      hash,
      confirmedOffset: ranges.confirmed,
      missingRangeEnd: first && first.end < size - 1 ? first.end : undefined,
      resyncPending: undefined,
      session: expiresAt !== undefined ? { ...session, expiresAt } : session,
      ...(progressed
        ? { attempts: { ...job.attempts, retries: 0, badRequestResyncs: 0 }, lastError: undefined }
        : {}),
    };
    const events: JobEvent[] =
      kind === "chunk"
        ? [{ type: "chunk-confirmed", confirmedOffset: ranges.confirmed, size }]
        : [
            {
              type: "resynced",
              from: job.confirmedOffset,
              to: ranges.confirmed,
              reason: job.lastError?.code ?? "resume",
            },
          ];
    if (ranges.missing.length === 0) {
      // Every byte is in but no driveItem came back: look the item up and verify it.
      return proceed({ ...moved, status: "verifying" }, events);
    }
    if (kind === "chunk" && !progressed) {
      // A 202 that confirms nothing new: count it, so a server that never advances cannot loop us forever.
      const stalled = jobError("no-progress", "the server accepted a fragment but confirmed no new bytes");
      const result = await applyDecision(
        moved,
        { action: "retry-now", error: stalled, resync: true },
        this.outcome,
      );
      return { ...result, events: [...events, ...result.events] };
    }
    return proceed(moved, events);
  }

  /**
   * Every byte is on the server. With the session still held, its commit failed after the last byte landed:
   * the session is kept until it expires, so commit it with `@microsoft.graph.sourceUrl` (Microsoft Learn,
   * "Upload large files with an upload session", "Handling commit errors"). Without one (a hash still to
   * come), read the item our session committed again.
   */
  private async verifyStored(target: ResolvedTarget, fingerprint: SourceFingerprint): Promise<StepResult> {
    const job = { ...this.job, confirmedOffset: fingerprint.size };
    const session = job.session;
    if (session) {
      let committed: DriveItem;
      try {
        committed = await this.deps.graph.commitUploadSession(
          target,
          session.uploadUrl,
          job.conflictBehavior,
          this.signal,
        );
      } catch (err: unknown) {
        if (err instanceof GraphFailure && (err.status === 404 || err.status === 410)) {
          // The session ended meanwhile: the commit went through after all, or the session expired.
          return this.probeFinishedUpload(target, fingerprint, err);
        }
        return this.failure(job, err, "commit");
      }
      return this.finish(job, committed, "answer");
    }
    let item: DriveItem | undefined;
    try {
      item = await this.deps.graph.getItem(target, this.signal);
    } catch (err: unknown) {
      return this.failure(job, err, "get-item");
    }
    const missing = () =>
      restartSession(
        job,
        jobError("item-missing", "every byte was sent but no file appeared"),
        this.outcome,
        {
          gone: true,
        },
      );
    if (!item || (job.committedItemId !== undefined && item.id !== job.committedItemId)) return missing();
    return this.finish(job, item, "answer", missing);
  }

  /**
   * Compare the stored item with what we sent (size and QuickXorHash; verify.ts). `provenance` says whether
   * the item is our own session's answer or was found by path; `notOurs` is what to do with one that is not
   * provably ours.
   */
  private async finish(
    job: UploadJob,
    item: DriveItem,
    provenance: Provenance,
    notOurs?: () => Promise<StepResult>,
  ): Promise<StepResult> {
    const target = job.target;
    const fingerprint = job.fingerprint;
    if (!target || !fingerprint) return proceed(job);
    const named = renamedTarget(job, item);
    const verdict = verifyUpload(
      item,
      fingerprint.size,
      new QuickXorHash(job.hash).digest(),
      named.path,
      provenance,
    );
    const settled: UploadJob = { ...job, target: named, session: undefined, resyncPending: undefined };
    switch (verdict.kind) {
      case "verified":
        return complete(settled, verdict.result, warningEvents(verdict.result.warning));
      case "hash-missing": {
        const reads = job.attempts.hashReads ?? 0;
        if (reads >= this.deps.policy.hashRereads) {
          return complete(settled, verdict.acceptSizeOnly, warningEvents(verdict.acceptSizeOnly.warning));
        }
        // Hashes can appear late (docs/graph-protocol.md "Hashes"): read this item again shortly; not a failure.
        const waiting: UploadJob = {
          ...settled,
          status: "verifying",
          committedItemId: item.id,
          attempts: { ...job.attempts, hashReads: reads + 1 },
        };
        const pending = jobError("hash-pending", "the service has not computed the file's QuickXorHash yet");
        return waitFor(waiting, pending, this.deps.policy.hashRereadDelayMs, this.outcome);
      }
      case "not-ours":
        if (notOurs) return notOurs();
        return failJob(
          job,
          jobError("hash-mismatch", "verification failed: the stored item is not the one this upload wrote"),
          this.outcome,
        );
      case "mismatch":
        return failJob(settled, verdict.error, this.outcome);
    }
  }

  /**
   * The job's hash advanced over its bytes up to `to` (normally the chunk just sent, still in `sent`), or the
   * step result for a source that changed or failed meanwhile.
   */
  private async hashThrough(
    job: UploadJob,
    fingerprint: SourceFingerprint,
    to: number,
    sent?: InMemoryBytes,
    speculative?: QuickXorState,
  ): Promise<{ readonly hash: UploadJob["hash"] } | { readonly failed: StepResult }> {
    // Hashed while the fragment was on the wire, from this very job.hash: valid when confirmed exactly that far.
    if (speculative && speculative.length === to && job.hash.length <= to) return { hash: speculative };
    try {
      return {
        hash: await advanceHash(job.hash, to, this.source, fingerprint, job.chunkSize, sent, this.signal),
      };
    } catch (err: unknown) {
      return { failed: await this.sourceFailure(job, err) };
    }
  }

  private async sourceFailure(job: UploadJob, err: unknown): Promise<StepResult> {
    if (err instanceof SourceChangedError) return afterSourceChange(job, err, this.outcome);
    const message = err instanceof Error ? err.message : String(err);
    return applyDecision(
      job,
      {
        action: "retry-after",
        error: jobError("source-unreadable", `reading the source failed: ${message}`),
        delayMs: this.deps.policy.backoff.baseMs,
        resync: false,
        throttleDrive: false,
      },
      this.outcome,
    );
  }

  private failure(job: UploadJob, err: unknown, operation: Operation): Promise<StepResult> {
    if (this.signal?.aborted) throw err;
    return applyDecision(job, classifyFailure(err, operation, this.classifyContext()), this.outcome);
  }

  private classifyContext() {
    return {
      retries: this.job.attempts.retries,
      badRequestResyncs: this.job.attempts.badRequestResyncs,
      now: this.now,
      random: this.deps.random,
      policy: this.deps.policy,
      conflict: this.job.conflictBehavior,
    };
  }
}

/**
 * Under `rename` the service may store the file under another name ("name 1.ext"): later reads and the result
 * must use the name it returned, not the one we asked for.
 */
function renamedTarget(job: UploadJob, item: DriveItem): ResolvedTarget {
  const target = job.target as ResolvedTarget;
  const slash = target.path.lastIndexOf("/");
  if (!item.name || item.name === target.path.slice(slash + 1)) return target;
  return { ...target, path: `${target.path.slice(0, slash)}/${item.name}` };
}

function warningEvents(warning: string | undefined): JobEvent[] {
  return warning ? [{ type: "warning", message: warning }] : [];
}
