/**
 * The one structured log shape of the project (docs/design.md "Structured logs"): every event is an object
 * with an `event` name and flat fields, written as one JSON object per line by the one writer
 * (src/app/jsonLog.ts, which adds `time`). Areas narrow the fields (pipeline events, auth decisions, the
 * mirror's typed union) but stay LogEvents. Fields carry names, times, counts, codes and request-ids only:
 * never a token, an upload URL or an error message that may quote a request (docs/design.md invariant 5).
 */
export interface LogEvent {
  readonly event: string;
  readonly [field: string]: unknown;
}

export type Logger<E extends LogEvent = LogEvent> = (event: E) => void;

export const silentLog: Logger = () => {};
