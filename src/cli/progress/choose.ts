/**
 * Which progress display a command uses (issue 15 item 9): JSON lines only with --json or when stdout is not a
 * terminal, so human output never mixes in JSON; `-q` shows nothing per file (the command reports failures);
 * `-v` also shows session and start lines.
 */
import { JsonLinesReporter } from "./jsonLines.js";
import type { ProgressReporter } from "./reporter.js";

export interface DisplayOptions {
  readonly json?: boolean;
  readonly quiet?: boolean;
  readonly verbose?: boolean;
}

/** Async because the bars (cli-progress) are loaded only for a terminal: JSON runs never need them (issue 17). */
export async function chooseReporter(
  options: DisplayOptions,
  stdout: NodeJS.WriteStream,
): Promise<ProgressReporter> {
  if (options.json || !stdout.isTTY) return new JsonLinesReporter((line) => stdout.write(line));
  if (options.quiet) return { resumed: () => undefined, events: () => undefined, close: () => undefined };
  const { BarsReporter } = await import("./bars.js");
  return new BarsReporter(stdout, Date.now, options.verbose === true);
}
