/**
 * Structured pipeline events (one JSON object per event: job, request, wakeSeq, what happened). Never a
 * secret: no upload URLs, no tokens; errors are reduced to their name and code.
 */
export interface PipelineEvent {
  readonly event: string;
  readonly jobId?: string;
  readonly requestId?: string;
  readonly wakeSeq?: number;
  readonly [key: string]: unknown;
}

export type PipelineLog = (event: PipelineEvent) => void;

export const silentLog: PipelineLog = () => {};
