/**
 * One JSON object per line (issue 3: with --json or when stdout is not a terminal). Built from the job's public
 * fields only: never the upload URL or a token (docs/design.md invariant 5).
 */
import { jsonLines } from "../../app/jsonLog.js";
import type { JobEvent, UploadJob } from "../../core/job/job.js";
import type { LogEvent, Logger } from "../../core/shared/log.js";
import type { FileLabel, ProgressReporter } from "./reporter.js";

export class JsonLinesReporter implements ProgressReporter {
  private readonly log: Logger;

  constructor(write: (line: string) => void, now: () => number = Date.now) {
    this.log = jsonLines((line) => write(`${line}\n`), now);
  }

  resumed(label: FileLabel, job: UploadJob): void {
    this.emit(label, job, {
      event: "resumed",
      confirmedOffset: job.confirmedOffset,
      size: job.fingerprint?.size,
    });
  }

  events(label: FileLabel, job: UploadJob, events: readonly JobEvent[]): void {
    for (const event of events) this.emit(label, job, describe(event));
  }

  close(): void {}

  private emit(label: FileLabel, job: UploadJob, body: LogEvent): void {
    this.log({ ...body, file: label.file, destination: label.destination, jobId: job.jobId });
  }
}

function describe(event: JobEvent): LogEvent {
  switch (event.type) {
    case "started":
      return { event: "started", size: event.size, method: event.method };
    case "session-created":
      return { event: "session-created", sessionNumber: event.sessionNumber };
    case "session-recreated":
      return { event: "session-recreated", reason: event.reason, sessionNumber: event.sessionNumber };
    case "chunk-confirmed":
      return { event: "chunk-confirmed", confirmedOffset: event.confirmedOffset, size: event.size };
    case "resynced":
      return { event: "resynced", from: event.from, to: event.to, reason: event.reason };
    case "retrying":
      return { event: "retrying", reason: event.reason, delayMs: event.delayMs, error: event.error };
    case "source-changed":
      return { event: "source-changed", action: event.action };
    case "warning":
      return { event: "warning", message: event.message };
    case "completed":
      return {
        event: "completed",
        size: event.result.size,
        quickXorHash: event.result.quickXorHash,
        verification: event.result.verification,
        ...(event.result.warning ? { warning: event.result.warning } : {}),
        ...(event.result.name ? { name: event.result.name } : {}),
        itemId: event.result.itemId,
        webUrl: event.result.webUrl,
      };
    case "failed":
      return { event: "failed", code: event.error.code, message: event.error.message, error: event.error };
  }
}
