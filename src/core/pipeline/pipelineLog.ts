/**
 * Structured pipeline events (one JSON object per event: job, request, wakeSeq, what happened), in the one log
 * shape (src/core/shared/log.ts). Never a secret: no upload URLs, no tokens; errors are reduced to their name
 * and code.
 */
import type { LogEvent, Logger } from "../shared/log.js";

export interface PipelineEvent extends LogEvent {
  readonly jobId?: string;
  readonly requestId?: string;
  readonly wakeSeq?: number;
}

export type PipelineLog = Logger<PipelineEvent>;

export { silentLog } from "../shared/log.js";
