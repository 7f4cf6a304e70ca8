/**
 * The local driver's wake queue split by size class (docs/upload.md "Concurrency"): small files (those that go
 * by one simple PUT, chunkPlan.ts uploadMethod) wait for the small pool's consumers, every other file for the
 * large pool's, so `--parallel-small` simple uploads run beside `--parallel` sessions. A simple upload is one
 * round trip holding only the file's bytes, so many may be in flight where a session's chunks would not fit.
 *
 * A job's class is fixed when it is submitted, from its known size (its fingerprint, else the local file's
 * stat); a job of unknown size is large. Every wake of the job, continuations included, goes to its class.
 */
import type { UploadJob } from "../core/job/job.js";
import type { WakeMessage, WakeQueue } from "../core/ports/stores.js";
import { uploadMethod } from "../core/upload/chunkPlan.js";
import { TimerWakeQueue } from "../store/timerWakeQueue.js";

export type SizeClass = "small" | "large";

/** "small" when the job's size is known and within its simple-upload limit. */
export function sizeClassOf(job: UploadJob, expectedSize: number | undefined): SizeClass {
  const size = job.fingerprint?.size ?? expectedSize;
  if (size === undefined) return "large";
  return uploadMethod(size, job.simpleUploadMax) === "simple" ? "small" : "large";
}

export class ClassedWakeQueue implements WakeQueue {
  private readonly queues: Readonly<Record<SizeClass, TimerWakeQueue>> = {
    small: new TimerWakeQueue(),
    large: new TimerWakeQueue(),
  };
  private readonly classes = new Map<string, SizeClass>();

  /** Fixes a job's class; call before its first wake is sent. */
  assign(jobId: string, sizeClass: SizeClass): void {
    this.classes.set(jobId, sizeClass);
  }

  send(message: WakeMessage, delayMs: number): Promise<void> {
    return this.queues[this.classes.get(message.jobId) ?? "large"].send(message, delayMs);
  }

  receive(sizeClass: SizeClass, signal?: AbortSignal): Promise<WakeMessage | undefined> {
    return this.queues[sizeClass].receive(signal);
  }

  holds(jobId: string): boolean {
    return this.queues.small.holds(jobId) || this.queues.large.holds(jobId);
  }

  close(): void {
    this.queues.small.close();
    this.queues.large.close();
  }
}
