/**
 * `npm run bench field-requests`: how many Graph requests one upload takes against each behaviour of the real
 * service that the emulator's `field` profile plays (docs/emulator.md "Profiles"), next to a clean upload. The
 * engine runs step after step as the CLI does, waits moving the emulator's clock instead of sleeping. A run is
 * cut off after 3,000 requests or 20 s, so an engine that loops shows as "cut off" instead of hanging.
 * Targets: every behaviour ends completed (or failed with its reason) within a handful of extra requests.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { StaticTokenProvider } from "../src/auth/staticToken.js";
import { isTerminal, type UploadJob } from "../src/core/job/job.js";
import { type EngineDeps, newJob, step } from "../src/core/upload/engine.js";
import { DEFAULT_POLICY } from "../src/core/upload/policy.js";
import {
  DEFAULT_DRIVE_IDS,
  DEFAULT_TOKEN,
  type Fault,
  OffsetClock,
  type RouteName,
  startEmulator,
} from "../src/emulator/index.js";
import { GraphClient } from "../src/graph/client.js";
import { createSourceOpener } from "../src/sources/opener.js";
import type { Benchmark, BenchRow } from "./registry.js";

const CHUNK = 327_680;
const FRAGMENTS = 4;
const SIZE = (FRAGMENTS - 1) * CHUNK + 999;
const MAX_REQUESTS = 3_000;
const MAX_MS = 20_000;

interface Scenario {
  readonly name: string;
  readonly file: string;
  readonly fault?: { readonly route: RouteName; readonly nth?: number; readonly fault: Fault };
  /** Extra requests over a clean upload that the target allows. */
  readonly extra: number;
  readonly requestTimeoutMs?: number;
  readonly expect: "completed" | "failed";
}

const SCENARIOS: readonly Scenario[] = [
  { name: "clean upload", file: "clean.bin", extra: 0, expect: "completed" },
  {
    name: "commit fails after the last byte",
    file: "commit.bin",
    fault: { route: "uploadFragment", nth: FRAGMENTS, fault: { type: "commitFails" } },
    extra: 3,
    expect: "completed",
  },
  {
    name: "createUploadSession answer lost",
    file: "lost.bin",
    fault: { route: "createUploadSession", fault: { type: "sessionAnswerLost" } },
    extra: 10,
    expect: "completed",
  },
  {
    name: "slow final commit (Office file)",
    file: "slow.docx",
    fault: { route: "uploadFragment", nth: FRAGMENTS, fault: { type: "slowCommit", ms: 1_500 } },
    requestTimeoutMs: 700,
    extra: 3,
    expect: "completed",
  },
  {
    name: "gateway HTML 502 on a fragment",
    file: "html.bin",
    fault: { route: "uploadFragment", nth: 2, fault: { type: "status", status: 502, html: true } },
    extra: 3,
    expect: "completed",
  },
  {
    name: "transient 404 on a fresh session",
    file: "transient.bin",
    fault: { route: "uploadFragment", fault: { type: "status", status: 404, code: "itemNotFound" } },
    extra: 3,
    expect: "completed",
  },
  { name: "photo, metadata updated by the service", file: "photo.jpg", extra: 0, expect: "completed" },
  { name: "empty file (no hash kept)", file: "empty.bin", extra: 0, expect: "completed" },
];

interface Outcome {
  readonly status: string;
  readonly requests: number;
  readonly cutOff: boolean;
}

async function runScenario(scenario: Scenario, dir: string): Promise<Outcome> {
  const clock = new OffsetClock();
  const emu = await startEmulator({ clock });
  try {
    const driveId = DEFAULT_DRIVE_IDS.opsDocuments;
    emu.inspect.putItem(driveId, "/bench/.keep", Buffer.from("x"));
    const source = path.join(dir, scenario.file);
    await writeFile(source, Buffer.alloc(scenario.file.startsWith("empty") ? 0 : SIZE, 7));
    emu.inspect.clearLog();
    if (scenario.fault) {
      emu.faults.add({
        match: { route: scenario.fault.route, nth: scenario.fault.nth ?? 1 },
        fault: scenario.fault.fault,
      });
    }
    const requestTimeoutMs = scenario.requestTimeoutMs ?? 30_000;
    const deps: EngineDeps = {
      graph: new GraphClient({
        baseUrl: emu.graphBaseUrl,
        tokens: new StaticTokenProvider(DEFAULT_TOKEN),
        requestTimeoutMs,
      }),
      sources: createSourceOpener({ requestTimeoutMs }),
      clock,
      random: () => 0.5,
      policy: DEFAULT_POLICY,
    };
    let job: UploadJob = newJob({
      jobId: "bench",
      requestId: "bench",
      source: { type: "file", path: source },
      destination: { type: "drive", driveId, path: `/bench/${scenario.file}` },
      conflictBehavior: "replace",
      chunkSize: CHUNK,
      simpleUploadMax: 0,
      now: clock.now(),
    });
    const started = Date.now();
    const requests = () => emu.inspect.requestLog().length;
    while (!isTerminal(job.status) && requests() < MAX_REQUESTS && Date.now() - started < MAX_MS) {
      const result = await step(job, deps);
      job = result.job;
      if (result.next.type === "wait") clock.advance(result.next.ms);
    }
    return { status: job.status, requests: requests(), cutOff: !isTerminal(job.status) };
  } finally {
    await emu.close();
  }
}

export const fieldRequestsBenchmark: Benchmark = {
  name: "field-requests",
  description: "Graph requests per upload against each field behaviour of the service (4-fragment file)",
  async run(): Promise<BenchRow[]> {
    const dir = await mkdtemp(path.join(tmpdir(), "gm-field-requests-"));
    try {
      const rows: BenchRow[] = [];
      let clean = 1 + FRAGMENTS;
      for (const scenario of SCENARIOS) {
        const outcome = await runScenario(scenario, dir);
        if (scenario.name === "clean upload") clean = outcome.requests;
        const limit = clean + scenario.extra;
        const value = outcome.cutOff
          ? `cut off after ${outcome.requests} requests (${outcome.status})`
          : `${outcome.requests} requests, ${outcome.status}`;
        rows.push({
          metric: scenario.name,
          value,
          target: `${scenario.expect}, <= ${limit}`,
          pass: !outcome.cutOff && outcome.status === scenario.expect && outcome.requests <= limit,
        });
      }
      return rows;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
