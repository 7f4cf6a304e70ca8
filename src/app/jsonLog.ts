/**
 * The one JSON-lines writer (docs/design.md "Structured logs"): each event of the one log shape
 * (src/core/shared/log.ts) becomes one JSON object on one line, `time` first. The Functions app's default
 * log, the mirror's log (Functions and CLI) and the CLI's `--json` progress all write through it.
 */
import type { LogEvent, Logger } from "../core/shared/log.js";

export function jsonLines<E extends LogEvent = LogEvent>(
  write: (line: string) => void,
  now: () => number = Date.now,
): Logger<E> {
  return (event) => write(JSON.stringify({ time: new Date(now()).toISOString(), ...event }));
}
