/**
 * The local driver's wake queue in three lanes (docs/upload.md "Concurrency"):
 * - small: files that go by one simple PUT (chunkPlan.ts uploadMethod), for the `--parallel-small` consumers;
 * - prepare: large files' steps before they have an upload session (session creation, with the folder and the
 *   destination checks it may take), which move no file bytes (a job that lost its session comes back here);
 * - large: large files' steps that send fragments, for the `--parallel` consumers.
 * A simple upload is one round trip holding only the file's bytes, so many may be in flight where a session's
 * chunks would not fit. Session creation is a round trip that holds nothing: done in its own lane it overlaps
 * other files' fragments instead of taking a `--parallel` consumer away from them for a round trip per file.
 * How far preparation runs ahead is bounded (`receivePrepared`): sessions are opened only while fewer than
 * `--parallel` files are ready (a wake still waiting out a delay is not) or being prepared, so none sits open for
 * long waiting its turn.
 *
 * A job's size class is fixed when it is submitted, from its known size (its fingerprint, else the local file's
 * stat); a job of unknown size is large. A large job's lane follows its state after each step (`noteStep`): a
 * session lost or expired sends it back to prepare. Jobs never assigned a class (one pool) all use the large lane.
 */
import type { UploadJob } from "../core/job/job.js";
import type { WakeMessage, WakeQueue } from "../core/ports/stores.js";
import { uploadMethod } from "../core/upload/chunkPlan.js";
import { TimerWakeQueue } from "../store/timerWakeQueue.js";

export type SizeClass = "small" | "large";
export type Lane = "small" | "prepare" | "large";

/** "small" when the job's size is known and within its simple-upload limit. */
export function sizeClassOf(job: UploadJob, expectedSize: number | undefined): SizeClass {
  const size = job.fingerprint?.size ?? expectedSize;
  if (size === undefined) return "large";
  return uploadMethod(size, job.simpleUploadMax) === "simple" ? "small" : "large";
}

export class ClassedWakeQueue implements WakeQueue {
  private readonly lanes: Readonly<Record<Lane, TimerWakeQueue>> = {
    small: new TimerWakeQueue(),
    prepare: new TimerWakeQueue(),
    large: new TimerWakeQueue(),
  };
  private readonly classes = new Map<string, SizeClass>();
  /** Large jobs past preparation: holding an upload session, or verifying what they uploaded. */
  private readonly pastPreparation = new Set<string>();
  /** Prepare steps admitted by `receivePrepared` and not yet done. */
  private preparing = 0;
  private readonly changed = new Set<() => void>();
  private closed = false;

  /** Fixes a job's class (and whether it already holds a session); call before its first wake is sent. */
  assign(jobId: string, sizeClass: SizeClass, hasSession = false): void {
    this.classes.set(jobId, sizeClass);
    if (hasSession) this.pastPreparation.add(jobId);
  }

  /**
   * Follows a job's state after a step, so its next wake goes to the lane of what it will do next: a job that
   * holds a session, or is verifying what it uploaded (its session is gone then), belongs to the large lane.
   */
  noteStep(job: UploadJob): void {
    if (job.session || job.status === "verifying") this.pastPreparation.add(job.jobId);
    else this.pastPreparation.delete(job.jobId);
  }

  laneOf(jobId: string): Lane {
    const sizeClass = this.classes.get(jobId);
    if (sizeClass === "small") return "small";
    return sizeClass === "large" && !this.pastPreparation.has(jobId) ? "prepare" : "large";
  }

  send(message: WakeMessage, delayMs: number): Promise<void> {
    return this.lanes[this.laneOf(message.jobId)].send(message, delayMs);
  }

  /** The next wake of the small or the large lane, waiting for one; undefined once closed or aborted. */
  async receive(lane: Exclude<Lane, "prepare">, signal?: AbortSignal): Promise<WakeMessage | undefined> {
    const message = await this.lanes[lane].receive(signal);
    if (message && lane === "large") this.notify();
    return message;
  }

  /**
   * The next prepare wake, once fewer than `limit` large files are ready or being prepared; the caller calls
   * `prepared()` when the step is done (after its continuation was sent). Undefined once closed or aborted.
   */
  async receivePrepared(limit: number, signal?: AbortSignal): Promise<WakeMessage | undefined> {
    // Ready: large wakes receivable and not yet taken by a fragment consumer; one still waiting out a delay (a
    // backoff, a busy session) is not, so it never holds back the next file's session while consumers idle.
    while (this.lanes.large.receivable() + this.preparing >= limit) {
      if (this.closed || signal?.aborted) return undefined;
      await this.nextChange(signal);
    }
    this.preparing++;
    const message = await this.lanes.prepare.receive(signal);
    if (!message) this.prepared();
    return message;
  }

  /** A prepare step admitted by `receivePrepared` is done. */
  prepared(): void {
    this.preparing--;
    this.notify();
  }

  holds(jobId: string): boolean {
    return Object.values(this.lanes).some((lane) => lane.holds(jobId));
  }

  close(): void {
    this.closed = true;
    for (const lane of Object.values(this.lanes)) lane.close();
    this.notify();
  }

  private notify(): void {
    for (const wake of [...this.changed]) wake();
  }

  private nextChange(signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.changed.delete(done);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      this.changed.add(done);
      signal?.addEventListener("abort", done, { once: true });
    });
  }
}
