/**
 * What every step of `graph-mirror start` (start.ts) shares: the settings it fills in, the ports and folders,
 * and the list of what to stop. Ctrl-C at any point stops everything started so far, in reverse order, and the
 * storage emulator last: the functions may still write rows while they stop (src/localhost/azurite.ts).
 */
import { ChildWatch } from "../../localhost/childExit.js";
import type { LocalPorts } from "../../localhost/settings.js";

export interface StartRun {
  /** local.settings.json's Values under the environment; steps fill in storage, Graph and the sample mirror. */
  readonly env: Record<string, string | undefined>;
  readonly ports: LocalPorts;
  /** Where .azurite/ and .local/ live. */
  readonly dataDir: string;
  /** `<data dir>/.local/logs`. */
  readonly logDir: string;
  readonly say: (line: string) => void;
  readonly life: StartLifecycle;
}

export class StartLifecycle {
  /** Ends with the exit code of the first child that exits on its own (a child of start runs until Ctrl-C). */
  readonly children = new ChildWatch((line) => process.stderr.write(`${line}\n`));
  /** Aborted by Ctrl-C (SIGINT) or SIGTERM. */
  readonly interrupted = new AbortController();
  private readonly stops: (() => Promise<void>)[] = [];
  private stopStorage: (() => Promise<void>) | undefined;

  /** Stopped in reverse order of registration. */
  onStop(stop: () => Promise<void>): void {
    this.stops.push(stop);
  }

  /** The storage emulator, stopped after everything else. */
  onStopLast(stop: () => Promise<void>): void {
    this.stopStorage = stop;
  }

  async stopAll(): Promise<void> {
    this.children.stopping = true;
    for (const stop of this.stops.reverse()) await stop().catch(() => undefined);
    await this.stopStorage?.().catch(() => undefined);
  }

  /** Resolves with the exit code start ends with: a child's, or 130 for Ctrl-C. */
  ended(): Promise<number> {
    return Promise.race([
      this.children.ended,
      new Promise<number>((resolve) => this.interrupted.signal.addEventListener("abort", () => resolve(130))),
    ]);
  }
}
