/**
 * Which progress display a command uses (issue 15 item 9): JSON lines only with --json or when stdout is not a
 * terminal, so human output never mixes in JSON; `-q` shows nothing per file (the command reports failures);
 * `-v` also shows session and start lines.
 */
import { BarsReporter } from "./bars.js";
import { JsonLinesReporter } from "./jsonLines.js";
import type { ProgressReporter } from "./reporter.js";

export interface DisplayOptions {
  readonly json?: boolean;
  readonly quiet?: boolean;
  readonly verbose?: boolean;
}

export function chooseReporter(options: DisplayOptions, stdout: NodeJS.WriteStream): ProgressReporter {
  if (options.json || !stdout.isTTY) return new JsonLinesReporter((line) => stdout.write(line));
  if (options.quiet) return { resumed: () => undefined, events: () => undefined, close: () => undefined };
  return new BarsReporter(stdout, Date.now, options.verbose === true);
}
