/**
 * Peak RSS of the CLI uploading a 256 MiB and a 2 GiB file at 10 MiB chunks (docs/design.md invariant 4: memory is
 * bounded by chunk size, not file size). Target: at most 120 MiB (issue 17: two chunks per active upload, the
 * read-ahead included, on a lean start), and flat (within 10%) across sizes.
 * The emulator runs in its own process with file-backed storage so its memory is not counted.
 */
import path from "node:path";
import type { Benchmark, BenchRow } from "../registry.js";
import { MIB, makeFile, runCli, startEmulatorProcess, tempDir } from "./harness.js";

const LIMIT = 120 * MIB;
const SIZES: readonly [string, number][] = [
  ["256 MiB", 256 * MIB],
  ["2 GiB", 2048 * MIB],
];

export const uploadRssBenchmark: Benchmark = {
  name: "upload-rss",
  description: "peak RSS of the CLI for a 256 MiB and a 2 GiB file at 10 MiB chunks",
  async run(): Promise<BenchRow[]> {
    const rows: BenchRow[] = [];
    const peaks: number[] = [];
    rows.push({
      metric: "CLI baseline (1 KiB file)",
      value: `${((await baselineRss()) / MIB).toFixed(1)} MiB`,
    });
    for (const [label, size] of SIZES) {
      const work = await tempDir("gm-bench-rss-");
      const data = await tempDir("gm-bench-emu-");
      const emu = await startEmulatorProcess(data.dir);
      try {
        const file = path.join(work.dir, "payload.bin");
        await makeFile(file, size);
        const result = await runCli(emu, file, "/bench/rss.bin", "10MiB", path.join(work.dir, "state.json"));
        peaks.push(result.peakRssBytes);
        rows.push({
          metric: `peak RSS, ${label}`,
          value: `${(result.peakRssBytes / MIB).toFixed(1)} MiB (${(size / MIB / (result.uploadMs / 1000)).toFixed(0)} MiB/s)`,
          target: `<= ${LIMIT / MIB} MiB`,
          pass: result.peakRssBytes > 0 && result.peakRssBytes <= LIMIT,
        });
      } finally {
        await emu.stop();
        await Promise.all([work.remove(), data.remove()]);
      }
    }
    const [small, large] = peaks;
    if (small && large) {
      const growth = large / small - 1;
      rows.push({
        metric: "RSS growth 256 MiB -> 2 GiB",
        value: `${(growth * 100).toFixed(1)}%`,
        target: "<= 10%",
        pass: growth <= 0.1,
      });
    }
    return rows;
  },
};

/** Peak RSS of the same CLI uploading a tiny file: what every command's modules cost before any chunk. */
async function baselineRss(): Promise<number> {
  const work = await tempDir("gm-bench-rss-");
  const data = await tempDir("gm-bench-emu-");
  const emu = await startEmulatorProcess(data.dir);
  try {
    const file = path.join(work.dir, "tiny.bin");
    await makeFile(file, 1024);
    return (await runCli(emu, file, "/bench/tiny.bin", "10MiB", path.join(work.dir, "state.json")))
      .peakRssBytes;
  } finally {
    await emu.stop();
    await Promise.all([work.remove(), data.remove()]);
  }
}
