/**
 * `--parallel` and `--parallel-small` of the upload and mirror commands (docs/upload.md "Concurrency"): large
 * files (resumable sessions, up to two chunks in memory each) and small files (one simple PUT of at most
 * SIMPLE_UPLOAD_MAX, holding only the file) have separate limits, so a folder of small files keeps many round
 * trips in flight on a slow link while memory for large files stays bounded by `--parallel`.
 */
import type { Command } from "commander";
import type { FieldProblem } from "../core/shared/validationError.js";

export const DEFAULT_PARALLEL = 4;
export const DEFAULT_PARALLEL_SMALL = 16;

export interface ParallelOptions {
  readonly parallel?: string;
  readonly parallelSmall?: string;
}

export function addParallelOptions(command: Command): Command {
  return command
    .option("--parallel <n>", "files uploaded at the same time", String(DEFAULT_PARALLEL))
    .option(
      "--parallel-small <n>",
      "small files (simple uploads, up to SIMPLE_UPLOAD_MAX) uploaded at the same time, beside --parallel",
      String(DEFAULT_PARALLEL_SMALL),
    );
}

/** Both limits, or the problems with them (each naming its option and rule). */
export function parseParallel(
  options: ParallelOptions,
  problems: FieldProblem[],
): { parallel: number; parallelSmall: number } {
  const parallel = Number(options.parallel ?? DEFAULT_PARALLEL);
  if (!Number.isInteger(parallel) || parallel < 1 || parallel > 32) {
    problems.push({ field: "--parallel", rule: "must be a whole number from 1 to 32" });
  }
  const parallelSmall = Number(options.parallelSmall ?? DEFAULT_PARALLEL_SMALL);
  if (!Number.isInteger(parallelSmall) || parallelSmall < 1 || parallelSmall > 64) {
    problems.push({ field: "--parallel-small", rule: "must be a whole number from 1 to 64" });
  }
  return { parallel, parallelSmall };
}
