/**
 * The function app's mirror path over real sockets: Azurite (job, manifest and history tables, wake queue) and
 * the Graph emulator. The timer handler plans and enqueues; the engine completes the jobs; the job-end hook and
 * the next pass's reconciliation record them; GET /api/mirrors and /api/stats report them.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { HttpRequest, InvocationContext } from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServices, type Services } from "../../../src/app/services.js";
import { loadConfig } from "../../../src/config/index.js";
import { isTerminal } from "../../../src/core/job/job.js";
import { newJob } from "../../../src/core/upload/engine.js";
import {
  DEFAULT_DRIVE_IDS,
  DEFAULT_TOKEN,
  type RunningEmulator,
  startEmulator,
} from "../../../src/emulator/index.js";
import { recordJobEnd } from "../../../src/functions/jobEndHook.js";
import { listMirrorsHandler, statsHandler } from "../../../src/functions/mirrors.js";
import { runScheduledMirrorPass } from "../../../src/functions/mirrorTimer.js";
import { onJobFinished } from "../../../src/functions/mirrorWiring.js";
import { type RunningAzurite, startAzurite } from "../../support/azurite.js";

describe("mirror functions against Azurite and the emulator", () => {
  let azurite: RunningAzurite;
  let emu: RunningEmulator;
  let root: string;
  let rt: Services;
  let env: Record<string, string>;
  const context = () => new InvocationContext({ functionName: "mirrorTimer", invocationId: "test" });

  beforeAll(async () => {
    [azurite, emu] = await Promise.all([startAzurite(), startEmulator()]);
    root = await mkdtemp(path.join(os.tmpdir(), "gm-fn-"));
    await mkdir(path.join(root, "app"));
    await writeFile(path.join(root, "app", "status.json"), '{"up":true}');
    await writeFile(path.join(root, "app", "app.log"), "started\n");
    const mirrors = [
      {
        name: "ops",
        source: { type: "file", path: path.join(root, "app") },
        destinations: [{ type: "drive", driveId: DEFAULT_DRIVE_IDS.opsDocuments, path: "/hourly" }],
      },
      { name: "broken", source: { type: "file", path: "/etc" }, destinations: [] },
    ];
    env = {
      AzureWebJobsStorage: azurite.connectionString,
      GRAPH_BASE_URL: emu.graphBaseUrl,
      GRAPH_ACCESS_TOKEN: DEFAULT_TOKEN,
      ALLOWED_FILE_ROOTS: root,
      MIRRORS: JSON.stringify(mirrors),
    };
    rt = createServices(loadConfig(env));
  });
  afterAll(async () => {
    await Promise.all([azurite?.stop(), emu?.close()]);
    if (root) await rm(root, { recursive: true, force: true });
  });

  it("plans and enqueues, records job ends, reports them, and then has nothing to do", async () => {
    const first = await runScheduledMirrorPass(context(), rt);
    expect(first.invalid.map((m) => m.mirror)).toEqual(["broken"]);
    const run = first.runs[0];
    expect(run?.run).toMatchObject({ mirror: "ops", jobsCreated: 2, result: "ok" });

    // The rows and wake messages exist exactly as the HTTP API creates them.
    const storage = await rt.storage();
    const rows = await storage.jobs.listByRequest(run?.runId ?? "");
    expect(rows.map((r) => [r.job.status, r.wakeSeq])).toEqual([
      ["queued", 0],
      ["queued", 0],
    ]);
    const messages = await storage.clients.wakeQueue.peekMessages({ numberOfMessages: 10 });
    expect(messages.peekedMessageItems).toHaveLength(2);

    // Complete both with the engine (the queue worker's job), writing the rows back.
    const engine = await rt.engine();
    for (const row of rows) {
      let job = row.job;
      while (!isTerminal(job.status)) job = (await engine.runStep(job, AbortSignal.timeout(10_000))).job;
      expect(job.status).toBe("completed");
      await storage.jobs.replace({ job, wakeSeq: row.wakeSeq + 1 }, row.etag);
    }
    // One end through the hook (as the step function calls it), the other left to the next pass.
    const firstRow = await storage.jobs.get(rows[0]?.job.jobId ?? "", run?.runId);
    if (!firstRow) throw new Error("the first job's row is gone");
    expect(await onJobFinished(firstRow.job, context(), rt)).toBe(true);
    expect(await onJobFinished(firstRow.job, context(), rt)).toBe(false);

    emu.inspect.clearLog();
    const second = await runScheduledMirrorPass(context(), rt);
    expect(second.runs[0]?.run).toMatchObject({ jobsCreated: 0, unchanged: 2, inProgress: 0 });
    expect(emu.inspect.requestLog()).toEqual([]);
    expect(emu.inspect.readItem(DEFAULT_DRIVE_IDS.opsDocuments, "/hourly/status.json")?.toString()).toBe(
      '{"up":true}',
    );

    const history = await (await rt.mirror()).history.records({ mirror: "ops" });
    expect(history.map((h) => h.outcome)).toEqual(["completed", "completed"]);

    const mirrors = await listMirrorsHandler(
      new HttpRequest({ method: "GET", url: "http://x/api/mirrors" }),
      context(),
      rt,
    );
    expect(mirrors.status).toBe(200);
    const body = mirrors.jsonBody as {
      mirrors: { name: string; lastRun: { jobsCreated: number }; lastRunResult: unknown }[];
      invalid: { mirror: string; problems: string[] }[];
    };
    expect(body.mirrors[0]?.name).toBe("ops");
    expect(body.mirrors[0]?.lastRun.jobsCreated).toBe(0);
    expect(body.invalid[0]?.mirror).toBe("broken");
    expect(body.invalid[0]?.problems).toContain("destinations: must list at least one destination");

    const stats = await statsHandler(
      new HttpRequest({ method: "GET", url: "http://x/api/stats?days=1" }),
      context(),
      rt,
    );
    expect(stats.jsonBody).toMatchObject({
      totals: { jobs: 2, completed: 2, failed: 0, successRate: 1, bytes: 19 },
      mirrors: { ops: { jobs: 2, bytes: 19 } },
    });
    expect(JSON.stringify([mirrors.jsonBody, stats.jsonBody])).not.toContain(DEFAULT_TOKEN);

    const bad = await statsHandler(
      new HttpRequest({ method: "GET", url: "http://x/api/stats?days=0" }),
      context(),
      rt,
    );
    expect(bad.status).toBe(400);
  });

  it('counts HTTP API uploads in /api/stats too, under "(http-api)" (issue 15 item 8)', async () => {
    const engine = await rt.engine();
    let job = newJob({
      jobId: "api-req-1-1",
      requestId: "api-req-1",
      source: { type: "file", path: path.join(root, "app", "app.log") },
      destination: { type: "drive", driveId: DEFAULT_DRIVE_IDS.opsDocuments, path: "/api/app.log" },
      conflictBehavior: "replace",
      chunkSize: 320 * 1024,
      simpleUploadMax: 4 * 1024 * 1024,
      now: Date.now(),
    });
    while (!isTerminal(job.status)) job = (await engine.runStep(job, AbortSignal.timeout(10_000))).job;
    expect(job.status).toBe("completed");
    // The job-end hook of the step function records an API job under the pseudo-mirror "(http-api)".
    await recordJobEnd(job, context(), rt);
    await recordJobEnd(job, context(), rt); // a duplicate delivery counts once
    const stats = await statsHandler(
      new HttpRequest({ method: "GET", url: "http://x/api/stats?days=1" }),
      context(),
      rt,
    );
    expect(stats.jsonBody).toMatchObject({
      totals: { jobs: 3, completed: 3, bytes: 27 },
      mirrors: { ops: { jobs: 2 }, "(http-api)": { jobs: 1, completed: 1, bytes: 8 } },
    });
  });

  it("under API_AUTH=entra, a caller with Uploads.Read reads both routes; one without it is refused", async () => {
    const entra = createServices(loadConfig({ ...env, API_AUTH: "entra" }));
    const reader = Buffer.from(
      JSON.stringify({
        auth_typ: "aad",
        claims: [
          { typ: "appid", val: "7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d" },
          { typ: "roles", val: "Uploads.Read" },
        ],
      }),
    ).toString("base64");
    const get = (route: string, principal?: string) =>
      new HttpRequest({
        method: "GET",
        url: `http://x/api/${route}`,
        headers: principal ? { "x-ms-client-principal": principal } : {},
      });
    const mirrors = await listMirrorsHandler(get("mirrors", reader), context(), entra);
    expect(mirrors.status).toBe(200);
    expect((mirrors.jsonBody as { mirrors: { name: string }[] }).mirrors[0]?.name).toBe("ops");
    const stats = await statsHandler(get("stats?days=1", reader), context(), entra);
    expect(stats.status).toBe(200);
    expect(stats.jsonBody).toMatchObject({ totals: { jobs: 3 } });
    expect((await listMirrorsHandler(get("mirrors"), context(), entra)).status).toBe(401);
    expect((await statsHandler(get("stats?days=1"), context(), entra)).status).toBe(401);
  });
});
