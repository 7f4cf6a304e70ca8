import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isTerminal } from "../../../src/core/job/job.js";
import {
  DEFAULT_DRIVE_IDS,
  type Fault,
  type RouteName,
  type RunningEmulator,
} from "../../../src/emulator/index.js";
import { ManualClock } from "../../support/pipeline/manualClock.js";
import { realPipeline } from "../../support/pipeline/realPipeline.js";
import { type SourceFixture, startSourceFixture } from "../../support/pipeline/sourceFixture.js";

const CHUNK = 327_680;
const driveId = DEFAULT_DRIVE_IDS.opsDocuments;
const clock = new ManualClock(Date.now());
const SEEDS = process.env.PIPELINE_SEED
  ? [Number(process.env.PIPELINE_SEED)]
  : Array.from({ length: 25 }, (_, i) => i + 1);

let emu: RunningEmulator;
let source: Buffer;
let sourcePath: string;

let fixture: SourceFixture | undefined;
beforeAll(async () => {
  fixture = await startSourceFixture(clock, 5 * CHUNK + 4321, "random-faults-");
  ({ emu, source, sourcePath } = fixture);
});
afterAll(async () => {
  await fixture?.close();
});

/** mulberry32: small, fast, good enough to spread faults; the seed is the whole schedule. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FAULTS: readonly { route: RouteName; fault: Fault }[] = [
  { route: "uploadFragment", fault: { type: "status", status: 429, retryAfterSeconds: 20 } },
  { route: "uploadFragment", fault: { type: "status", status: 503 } },
  { route: "uploadFragment", fault: { type: "resetMidBody" } },
  { route: "uploadFragment", fault: { type: "storeThenFail" } },
  { route: "uploadFragment", fault: { type: "expireSession" } },
  { route: "createUploadSession", fault: { type: "status", status: 503, retryAfterSeconds: 5 } },
  // The field behaviours (docs/emulator.md "Profiles"): a commit that fails after the last byte (a rule on a
  // non-final fragment passes without effect), a lost session answer, a transient 404, a gateway's HTML page.
  { route: "uploadFragment", fault: { type: "commitFails" } },
  { route: "createUploadSession", fault: { type: "sessionAnswerLost" } },
  { route: "uploadFragment", fault: { type: "status", status: 404, code: "itemNotFound" } },
  { route: "uploadFragment", fault: { type: "status", status: 502, html: true } },
];

/** Graph requests one job may take under three faults, a crash and duplicates: a handful each, never a storm. */
const MAX_REQUESTS_PER_JOB = 60;

describe("seeded random fault schedules through the queue pipeline", () => {
  it("every seed ends completed and byte-identical", async () => {
    const failures: string[] = [];
    let faultsFired = 0;
    let crashes = 0;
    for (const seed of SEEDS) {
      const random = prng(seed);
      emu.faults.clear();
      const chosen: string[] = [];
      const handles: { readonly hits: number }[] = [];
      for (let i = 0; i < 3; i++) {
        const pick = FAULTS[Math.floor(random() * FAULTS.length)];
        if (!pick) continue;
        const nth = 1 + Math.floor(random() * 5);
        handles.push(emu.faults.add({ match: { route: pick.route, nth }, fault: pick.fault }));
        chosen.push(
          `${pick.route}#${nth}:${pick.fault.type}${"status" in pick.fault ? pick.fault.status : ""}`,
        );
      }
      const crashAt = 1 + Math.floor(random() * 60);
      const mode = random() < 0.5 ? "before" : "after";
      const pipeline = realPipeline({ emu, clock, crashAt, mode, duplicate: () => random() < 0.3 });
      const itemPath = `/random/seed-${seed}.bin`;
      emu.inspect.clearLog();
      const job = await pipeline.submit({
        jobId: `seed-${seed}`,
        sourcePath,
        driveId,
        path: itemPath,
        chunkSize: CHUNK,
      });
      const where = `seed ${seed} (faults ${chosen.join(", ")}; crash ${pipeline.injector.crashedAt ?? `#${crashAt} not reached`})`;
      try {
        await pipeline.host.runUntil(async () => {
          const row = await pipeline.store.get(job.jobId, job.requestId);
          return row !== undefined && isTerminal(row.job.status);
        }, 1000);
      } catch (err: unknown) {
        failures.push(`${where}: ${err instanceof Error ? err.message : String(err)}`);
        continue;
      }
      faultsFired += handles.reduce((sum, h) => sum + h.hits, 0);
      if (pipeline.injector.crashedAt) crashes += 1;
      const row = await pipeline.store.get(job.jobId, job.requestId);
      if (row?.job.status !== "completed")
        failures.push(
          `${where}: ${row?.job.status} ${row?.job.lastError?.code}: ${row?.job.lastError?.message}`,
        );
      else if (!emu.inspect.readItem(driveId, itemPath)?.equals(source))
        failures.push(`${where}: bytes differ`);
      else if (pipeline.engineConcurrency() > 1) failures.push(`${where}: two steps of one job ran at once`);
      else if (emu.inspect.requestLog().length > MAX_REQUESTS_PER_JOB)
        failures.push(`${where}: ${emu.inspect.requestLog().length} Graph requests`);
    }
    emu.faults.clear();
    expect(failures, failures.join("\n")).toEqual([]);
    // The schedules must actually bite: over all seeds, faults fire and most runs crash.
    expect(faultsFired).toBeGreaterThanOrEqual(SEEDS.length);
    expect(crashes).toBeGreaterThanOrEqual(SEEDS.length / 2);
  }, 120_000);
});
