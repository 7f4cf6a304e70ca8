/**
 * Severity through the local host's own structured output: the built-in host as a child process, with Azurite
 * and the Graph emulator. A job that fails (507 quotaLimitReached on a fragment), a throttle (429 with
 * Retry-After) and a poisoned message each print warning/error lines carrying the job id, the code and Graph's
 * request-id; no line holds a token, `tempauth`, `Bearer` or an upload URL's path.
 */
import { TableClient } from "@azure/data-tables";
import { QueueClient } from "@azure/storage-queue";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEFAULT_DRIVE_IDS,
  DEFAULT_TOKEN,
  type RunningEmulator,
  startEmulator,
} from "../../../src/emulator/index.js";
import { encodeWakeMessage } from "../../../src/store/wakeMessageCodec.js";
import { type RunningAzurite, startAzurite } from "../../support/azurite.js";
import { ensureBuilt } from "../../support/builtApp.js";
import {
  appFolder,
  eventually,
  type LocalHostProcess,
  startLocalHostProcess,
} from "../../support/localHostProcess.js";

const DRIVE = DEFAULT_DRIVE_IDS.opsDocuments;
const CHUNK = 320 * 1024;
let azurite: RunningAzurite;
let emulator: RunningEmulator;
let host: LocalHostProcess;

beforeAll(async () => {
  await ensureBuilt();
  [azurite, emulator] = await Promise.all([startAzurite(), startEmulator()]);
  host = await startLocalHostProcess(appFolder({ visibilityTimeout: "00:00:00", maxPollingInterval: 200 }), {
    AzureWebJobsStorage: azurite.connectionString,
    GRAPH_BASE_URL: emulator.graphBaseUrl,
    GRAPH_ACCESS_TOKEN: DEFAULT_TOKEN,
    CHUNK_SIZE: String(CHUNK),
    SIMPLE_UPLOAD_MAX: "0",
    WAKE_QUEUE: "wake-sev",
    JOBS_TABLE: "jobssev",
  });
}, 60_000);

afterAll(async () => {
  await host?.kill("SIGTERM");
  await Promise.all([emulator?.close(), azurite?.stop()]);
});

interface Line {
  readonly level: string;
  readonly body: Record<string, unknown>;
}

/** The host's lines `[localhost] <level>: <function> [<category>] {json}` whose JSON names `event`. */
function lines(event: string): Line[] {
  return host
    .output()
    .split("\n")
    .flatMap((text) => {
      const match = /^\[localhost\] (\w+): .*?(\{.*\})\s*$/.exec(text);
      if (!match?.[2]) return [];
      try {
        const body = JSON.parse(match[2]) as Record<string, unknown>;
        return body.event === event ? [{ level: match[1] ?? "", body }] : [];
      } catch {
        return [];
      }
    });
}

async function upload(name: string, bytes: number): Promise<string> {
  const answer = await fetch(`${host.baseUrl}/api/uploads?to=drive:${DRIVE}:/sev/&name=${name}`, {
    method: "POST",
    headers: { "content-type": "application/octet-stream" },
    body: new Uint8Array(bytes),
  });
  expect(answer.status).toBe(202);
  const json = (await answer.json()) as { jobs: { id: string }[] };
  return json.jobs[0]?.id ?? "";
}

async function status(jobId: string): Promise<string> {
  const requestId = jobId.replace(/-\d+$/, "");
  const answer = (await (await fetch(`${host.baseUrl}/api/uploads/${requestId}`)).json()) as {
    jobs: { status: string }[];
  };
  return answer.jobs[0]?.status ?? "";
}

describe("the local host prints warning/error records an operator can act on", () => {
  it("a failed job, a throttle and a poisoned message; no secret anywhere", async () => {
    // 1. A fragment answered 507 quotaLimitReached: the job fails.
    emulator.faults.add({ match: { route: "uploadFragment" }, fault: { type: "quotaFull" } });
    const failing = await upload("full.bin", 2 * CHUNK);
    await eventually(
      async () => ((await status(failing)) === "failed" ? true : undefined),
      20_000,
      "failure",
    );
    emulator.faults.clear();
    const failed = await eventually(
      async () => lines("job-failed").find((l) => l.body.jobId === failing),
      5_000,
      "the job-failed line",
    );
    expect(failed.level).toBe("error");
    expect(failed.body).toMatchObject({ code: expect.any(String), graphRequestId: expect.any(String) });

    // 2. A 429 with Retry-After on createUploadSession: a warning; the job waits out the delay.
    emulator.faults.add({
      match: { route: "createUploadSession", times: 1 },
      fault: { type: "status", status: 429, retryAfterSeconds: 60 },
    });
    const throttledJob = await upload("slow.bin", 2 * CHUNK);
    const throttled = await eventually(
      async () => lines("graph-throttled").find((l) => l.body.jobId === throttledJob),
      20_000,
      "the graph-throttled line",
    );
    expect(throttled.level).toBe("warning");
    expect(throttled.body).toMatchObject({
      code: "throttled",
      httpStatus: 429,
      graphRequestId: expect.any(String),
    });

    // 3. Its wake, poisoned (as the host moves a message after maxDequeueCount): the job fails `poisoned`.
    const requestId = throttledJob.replace(/-\d+$/, "");
    const row = await TableClient.fromConnectionString(azurite.connectionString, "jobssev", {
      allowInsecureConnection: true,
    }).getEntity<{ wakeSeq: unknown }>(requestId, throttledJob);
    const wakeSeq = Number(
      (row.wakeSeq as { value?: string } | number | undefined) instanceof Object
        ? (row.wakeSeq as { value: string }).value
        : row.wakeSeq,
    );
    const poison = new QueueClient(azurite.connectionString, "wake-sev-poison");
    await poison.createIfNotExists();
    await poison.sendMessage(encodeWakeMessage({ jobId: throttledJob, requestId, wakeSeq }));
    const poisoned = await eventually(
      async () => lines("job-poisoned").find((l) => l.body.jobId === throttledJob),
      20_000,
      "the job-poisoned line",
    );
    expect(poisoned.level).toBe("error");
    const poisonFailed = await eventually(
      async () => lines("job-failed").find((l) => l.body.jobId === throttledJob),
      5_000,
      "the poisoned job's job-failed line",
    );
    expect(poisonFailed).toMatchObject({ level: "error", body: { code: "poisoned" } });

    const output = host.output();
    expect(output).not.toContain(DEFAULT_TOKEN);
    expect(output.toLowerCase()).not.toContain("tempauth");
    expect(output).not.toContain("Bearer");
    for (const session of emulator.inspect.requestLog().filter((r) => r.path.includes("upload")))
      expect(output).not.toContain(session.path);
  }, 60_000);
});
