/**
 * API_AUTH=entra through the built-in local host as a child process, against real Azurite and the Graph
 * emulator over sockets. The x-ms-client-principal header counts only where the platform sets it: a client's
 * copy is stripped (401, nothing stored or enqueued); LOCAL_DEV_PRINCIPAL makes the host play Easy Auth's part,
 * and then a caller without the route's role gets 403 with nothing staged, stored or enqueued, while an allowed
 * caller is recorded in the job row, the status answer and history.
 */
import { randomBytes } from "node:crypto";
import { TableClient } from "@azure/data-tables";
import { BlobServiceClient } from "@azure/storage-blob";
import { QueueServiceClient } from "@azure/storage-queue";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROLES } from "../../../src/api/caller.js";
import { HTTP_API_HISTORY } from "../../../src/api/jobHistory.js";
import {
  DEFAULT_DRIVE_IDS,
  DEFAULT_TOKEN,
  type RunningEmulator,
  startEmulator,
} from "../../../src/emulator/index.js";
import { MIRROR_TABLES } from "../../../src/mirror/storage.js";
import { type RunningAzurite, startAzurite } from "../../support/azurite.js";
import { ensureBuilt } from "../../support/builtApp.js";
import {
  appFolder,
  eventually,
  type LocalHostProcess,
  startLocalHostProcess,
} from "../../support/localHostProcess.js";

const OID = "0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d";
const READER_APP = "5e4d3c2b-1a09-4f8e-8d7c-6b5a49382716";

let azurite: RunningAzurite;
let emulator: RunningEmulator;
/** API_AUTH=entra, no dev principal: nothing can vouch for a caller. */
let noPrincipal: LocalHostProcess;
/** LOCAL_DEV_PRINCIPAL with Uploads.Write and Uploads.Read. */
let writer: LocalHostProcess;
/** LOCAL_DEV_PRINCIPAL with Uploads.Read only. */
let reader: LocalHostProcess;

/** Each host its own queue, job table and staging container, so "nothing written" is about that host only. */
function isolated(name: string): Record<string, string> {
  return { WAKE_QUEUE: `wake-${name}`, JOBS_TABLE: `jobs${name}`, STAGING_CONTAINER: `staging-${name}` };
}

beforeAll(async () => {
  await ensureBuilt();
  [azurite, emulator] = await Promise.all([startAzurite(), startEmulator()]);
  const base = {
    AzureWebJobsStorage: azurite.connectionString,
    GRAPH_BASE_URL: emulator.graphBaseUrl,
    GRAPH_ACCESS_TOKEN: DEFAULT_TOKEN,
    API_AUTH: "entra",
  };
  const app = appFolder({ visibilityTimeout: "00:00:00", maxPollingInterval: 200 });
  [noPrincipal, writer, reader] = await Promise.all([
    startLocalHostProcess(app, { ...base, ...isolated("none") }),
    startLocalHostProcess(app, {
      ...base,
      ...isolated("writer"),
      LOCAL_DEV_PRINCIPAL: JSON.stringify({ oid: OID, roles: [ROLES.write, ROLES.read] }),
    }),
    startLocalHostProcess(app, {
      ...base,
      ...isolated("reader"),
      LOCAL_DEV_PRINCIPAL: JSON.stringify({ appid: READER_APP, roles: [ROLES.read] }),
    }),
  ]);
});

afterAll(async () => {
  await Promise.all([noPrincipal, writer, reader].map((h) => h?.kill("SIGTERM")));
  await Promise.all([emulator?.close(), azurite?.stop()]);
});

/** A principal a client forges: every role, any object id. */
const SPOOFED = Buffer.from(
  JSON.stringify({
    auth_typ: "aad",
    claims: [
      { typ: "oid", val: "forged" },
      { typ: "roles", val: ROLES.write },
      { typ: "roles", val: ROLES.read },
    ],
  }),
).toString("base64");

function octetPost(host: LocalHostProcess, name: string, bytes: Uint8Array, headers = {}) {
  return fetch(
    `${host.baseUrl}/api/uploads?to=drive:${DEFAULT_DRIVE_IDS.opsDocuments}:/callers/&name=${name}`,
    {
      method: "POST",
      headers: { "content-type": "application/octet-stream", ...headers },
      body: bytes,
    },
  );
}

/** Nothing in the host's queue, job table or staging container (each may not even exist). */
async function nothingWritten(name: string): Promise<void> {
  const names = isolated(name);
  const queue = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient(
    names.WAKE_QUEUE ?? "",
  );
  if (await queue.exists())
    expect((await queue.peekMessages({ numberOfMessages: 32 })).peekedMessageItems).toEqual([]);
  const table = TableClient.fromConnectionString(azurite.connectionString, names.JOBS_TABLE ?? "", {
    allowInsecureConnection: true,
  });
  const rows: unknown[] = [];
  try {
    for await (const row of table.listEntities()) rows.push(row);
  } catch (err: unknown) {
    if ((err as { statusCode?: number }).statusCode !== 404) throw err;
  }
  expect(rows).toEqual([]);
  const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(
    names.STAGING_CONTAINER ?? "",
  );
  const blobs: string[] = [];
  if (await container.exists()) for await (const blob of container.listBlobsFlat()) blobs.push(blob.name);
  expect(blobs).toEqual([]);
}

describe("API_AUTH=entra through the local host", () => {
  it("registers the upload routes anonymous at the Functions level (Easy Auth is the gate)", () => {
    expect(noPrincipal.output()).toMatch(/createUpload: \[POST\] \S+\/api\/uploads \(authLevel anonymous\)/);
  });

  it("strips a client-supplied x-ms-client-principal: 401, nothing staged, stored or enqueued", async () => {
    const spoofed = await octetPost(noPrincipal, "spoofed.bin", randomBytes(1000), {
      "x-ms-client-principal": SPOOFED,
    });
    expect(spoofed.status).toBe(401);
    expect(await spoofed.text()).not.toContain(SPOOFED);
    const json = await fetch(`${noPrincipal.baseUrl}/api/uploads`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-ms-client-principal": SPOOFED },
      body: JSON.stringify({
        source: { type: "url", url: "https://example.com/a.bin" },
        destinations: [{ type: "drive", driveId: "b!x", path: "/in/" }],
      }),
    });
    expect(json.status).toBe(401);
    const get = await fetch(`${noPrincipal.baseUrl}/api/uploads/some-id`, {
      headers: { "x-ms-client-principal": SPOOFED },
    });
    expect(get.status).toBe(401);
    await nothingWritten("none");
  });

  it("a dev principal without Uploads.Write gets 403, nothing staged, stored or enqueued", async () => {
    const refused = await octetPost(reader, "reader.bin", randomBytes(1000));
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("forbidden");
    await nothingWritten("reader");
  });

  it("a dev principal with the roles uploads; the caller is in the job, the status answer and history", async () => {
    const bytes = randomBytes(200_000);
    // The client's forged header is replaced by the host's dev principal, as Easy Auth would replace it.
    const post = await octetPost(writer, "allowed.bin", bytes, { "x-ms-client-principal": SPOOFED });
    expect(post.status).toBe(202);
    const { id, statusUrl } = (await post.json()) as { id: string; statusUrl: string };
    const final = await eventually(
      async () => {
        const status = (await (await fetch(statusUrl)).json()) as {
          done: boolean;
          jobs: { id: string; status: string; requestedBy?: string }[];
        };
        return status.done ? status : undefined;
      },
      30_000,
      "the upload to finish",
    );
    expect(final.jobs.map((j) => [j.status, j.requestedBy])).toEqual([["completed", `oid:${OID}`]]);
    expect(
      emulator.inspect.readItem(DEFAULT_DRIVE_IDS.opsDocuments, "/callers/allowed.bin")?.equals(bytes),
    ).toBe(true);

    const jobs = TableClient.fromConnectionString(azurite.connectionString, "jobswriter", {
      allowInsecureConnection: true,
    });
    const rows: { job: string }[] = [];
    for await (const row of jobs.listEntities<{ job: string }>()) rows.push(row);
    expect(rows.map((row) => (JSON.parse(row.job) as { requestedBy?: string }).requestedBy)).toEqual([
      `oid:${OID}`,
    ]);

    const history = TableClient.fromConnectionString(azurite.connectionString, MIRROR_TABLES.history, {
      allowInsecureConnection: true,
    });
    const record = await eventually(
      async () => {
        try {
          for await (const row of history.listEntities<{
            runId: string;
            requestedBy?: string;
            outcome: string;
          }>())
            if (row.runId === id) return row;
        } catch (err: unknown) {
          // The job-end hook creates the history table with its first record, after the job's final row (what
          // the status answer reads): under load the table may not exist yet, which is "not yet", not a failure.
          if ((err as { statusCode?: number }).statusCode !== 404) throw err;
        }
        return undefined;
      },
      10_000,
      "the history record of the API job",
    );
    expect(record).toMatchObject({
      mirror: HTTP_API_HISTORY,
      outcome: "completed",
      requestedBy: `oid:${OID}`,
    });
    expect(writer.output()).not.toContain(SPOOFED);
  });
});
