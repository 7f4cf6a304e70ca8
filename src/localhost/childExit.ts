/**
 * What `graph-mirror start` tells the terminal when one of its child processes ends on its own (issue 15: it
 * used to stop everything and exit 1 with nothing said): which child, why (exit code or signal) and where its
 * output went, so the next step is obvious.
 */
import type { ChildProcess } from "node:child_process";

export function describeChildExit(
  name: string,
  code: number | null,
  signal: NodeJS.Signals | null,
  logHint: string,
): string {
  const why = signal ? `was killed by ${signal}` : `exited with code ${code ?? "unknown"}`;
  return `graph-mirror start: ${name} ${why}; ${logHint}`;
}

/** Watches the children `start` runs; `ended` resolves with the exit code `start` should end with. */
export class ChildWatch {
  /** Set while `start` stops its children itself: their ends are then expected, not news. */
  stopping = false;
  readonly ended: Promise<number>;
  private resolveEnded: (code: number) => void = () => undefined;

  constructor(private readonly say: (line: string) => void) {
    this.ended = new Promise((resolve) => {
      this.resolveEnded = resolve;
    });
  }

  watch(name: string, child: ChildProcess, logHint: string): void {
    child.once("exit", (code, signal) => {
      if (this.stopping) return;
      this.say(describeChildExit(name, code, signal, logHint));
      // A child of `start` is meant to run until Ctrl-C, so even a clean exit of one is a failure of start.
      this.resolveEnded(code !== null && code !== 0 ? code : 1);
    });
  }
}
