/**
 * `npm run bench wan` (issue 17 item 5): graph-mirror's CLI against rclone, a raw fetch-PUT loop and, for small
 * files, the Node floor (./floorChild.ts) on the same emulator over TLS, at 0 and 50 ms per request (the
 * emulator's `latencyMs`, docs/emulator.md "Latency"), for the scenarios in ./scenarios.ts. Every tool runs as a
 * child process (wall time and peak RSS measured alike), the emulator in another; tools take turns going first
 * round by round, and the median of the rounds is reported.
 * Each upload is checked (file count, sizes and QuickXorHashes) and deleted again. docs/upload.md "Benchmarks"
 * has the settings.
 */
import { createReadStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { QuickXorHash } from "../../src/core/shared/quickXorHash.js";
import type { Benchmark, BenchRow } from "../registry.js";
import { MIB, makeFile, startEmulatorProcess, tempDir } from "../upload/harness.js";
import { type EmulatorControl, emulatorControl } from "./emulatorControl.js";
import { rcloneInstalled } from "./rclone.js";
import { runsAt, type Scenario, wanSettings } from "./scenarios.js";
import { type Payload, runTool, type ToolContext, type ToolName, toolsFor } from "./tools.js";
import { scenarioRows, type ToolFigures } from "./wanRows.js";

/** Writes the scenario's files under `dir` (random bytes, ../upload/harness.ts makeFile). */
export async function makePayload(scenario: Scenario, dir: string): Promise<Payload> {
  const folder = path.join(dir, scenario.id);
  await mkdir(folder, { recursive: true });
  const files = Array.from({ length: scenario.files }, (_, i) => {
    const name = scenario.files === 1 ? "payload.bin" : `f${String(i).padStart(3, "0")}.bin`;
    return { file: path.join(folder, name), name };
  });
  const hashes = new Map<string, string>();
  for (const f of files) {
    await makeFile(f.file, scenario.fileBytes);
    hashes.set(f.name, await quickXorHashOfFile(f.file));
  }
  return { scenario, source: scenario.files === 1 ? (files[0]?.file ?? folder) : folder, files, hashes };
}

async function quickXorHashOfFile(file: string): Promise<string> {
  const hash = new QuickXorHash();
  for await (const chunk of createReadStream(file, { highWaterMark: 8 * MIB })) hash.update(chunk as Buffer);
  return hash.digest();
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Runs every tool `rounds` times, rotating who goes first, and returns each tool's medians. */
async function measure(
  payload: Payload,
  latencyMs: number,
  rounds: number,
  tools: readonly ToolName[],
  ctx: ToolContext & { control: EmulatorControl },
): Promise<Map<ToolName, ToolFigures>> {
  const samples = new Map<ToolName, { wall: number[]; rss: number[]; anon: number[]; file: number[] }>(
    tools.map((t) => [t, { wall: [], rss: [], anon: [], file: [] }]),
  );
  const { scenario } = payload;
  for (let round = 0; round < rounds; round++) {
    const order = tools.map((_, i) => tools[(i + round) % tools.length] as ToolName);
    for (const tool of order) {
      const folder = `wan-${scenario.id}-${latencyMs}-${tool}-${round}`;
      const run = await runTool(tool, payload, folder, ctx);
      await ctx.control.verify(folder, scenario.files, scenario.fileBytes, payload.hashes);
      await ctx.control.remove(folder);
      const sample = samples.get(tool);
      sample?.wall.push(run.wallMs);
      sample?.rss.push(run.peakRssBytes);
      sample?.anon.push(run.peakAnonBytes);
      sample?.file.push(run.peakFileBytes);
      process.stderr.write(
        `  ${scenario.id} @${latencyMs} ms round ${round + 1}/${rounds}: ${tool} ${(run.wallMs / 1000).toFixed(2)} s, ${(run.peakRssBytes / MIB).toFixed(0)} MiB\n`,
      );
    }
  }
  return new Map(
    [...samples].map(([tool, s]) => [
      tool,
      {
        wallMs: median(s.wall),
        peakRssBytes: median(s.rss),
        peakAnonBytes: median(s.anon),
        peakFileBytes: median(s.file),
      },
    ]),
  );
}

export const wanBenchmark: Benchmark = {
  name: "wan",
  description:
    "graph-mirror vs rclone vs a raw fetch-PUT loop (and the Node floor for small files) at 0 and 50 ms per request (issue 17 scenarios; BENCH_ROUNDS, BENCH_WAN_*)",
  async run(): Promise<BenchRow[]> {
    const settings = wanSettings();
    const withRclone = rcloneInstalled();
    const work = await tempDir("gm-bench-wan-");
    const data = await tempDir("gm-bench-wan-emu-");
    const emu = await startEmulatorProcess(data.dir, {
      proxy: true,
      https: { caDir: path.join(work.dir, "ca") },
      // The one field behaviour rclone 1.60 trips: its bearer token on upload URLs (docs/emulator.md "Clients we
      // did not write"). Our client and the raw loop never send it, so this changes nothing for them.
      limits: { rejectAuthorizationOnUploadUrl: false },
    });
    const control = await emulatorControl(emu);
    try {
      const rows: BenchRow[] = [];
      const payloads: Payload[] = [];
      for (const scenario of settings.scenarios) payloads.push(await makePayload(scenario, work.dir));
      for (const latencyMs of settings.latencies) {
        await control.setLatency(latencyMs);
        for (const payload of payloads) {
          if (!runsAt(payload.scenario, latencyMs, settings)) continue;
          const tools = toolsFor(payload.scenario, withRclone);
          const figures = await measure(payload, latencyMs, settings.rounds, tools, {
            emu,
            work: work.dir,
            control,
          });
          rows.push(...scenarioRows(payload.scenario, latencyMs, figures));
        }
      }
      return rows;
    } finally {
      await control.close();
      await emu.stop();
      await Promise.all([work.remove(), data.remove()]);
    }
  },
};
