/** Every benchmark `npm run bench` knows. Add one line per benchmark module. */
import { fieldRequestsBenchmark } from "./fieldRequests.js";
import { mirrorFirstPassBenchmark, mirrorUnchangedBenchmark } from "./mirror.js";
import { queuePipelineBenchmark } from "./queuePipeline.js";
import type { Benchmark } from "./registry.js";
import { uploadRssBenchmark } from "./upload/rss.js";
import { uploadThroughputBenchmark } from "./upload/throughput.js";
import { wanBenchmark } from "./wan/wan.js";

export const BENCHMARKS: readonly Benchmark[] = [
  uploadThroughputBenchmark,
  uploadRssBenchmark,
  mirrorUnchangedBenchmark,
  mirrorFirstPassBenchmark,
  queuePipelineBenchmark,
  fieldRequestsBenchmark,
  wanBenchmark,
];
