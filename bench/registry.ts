/**
 * The benchmark registry behind `npm run bench`. Each area adds one entry to ./benchmarks.ts; run.ts runs them
 * (all, or those whose name contains an argument) and prints one table.
 */
export interface BenchRow {
  readonly metric: string;
  readonly value: string;
  /** The target as text, e.g. ">= 0.9". */
  readonly target?: string;
  readonly pass?: boolean;
}

export interface Benchmark {
  readonly name: string;
  readonly description: string;
  run(): Promise<BenchRow[]>;
}
