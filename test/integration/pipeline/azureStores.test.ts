import { TableClient } from "@azure/data-tables";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseStorageConfig } from "../../../src/config/storage.js";
import { createStorage } from "../../../src/store/factory.js";
import { type RunningAzurite, startAzurite } from "../../support/azurite.js";
import { describeDestinationIndexContract } from "../../support/pipeline/destinationContract.js";
import { makeJob } from "../../support/pipeline/jobs.js";
import {
  describeJobStoreContract,
  describeThrottleStoreContract,
} from "../../support/pipeline/storeContract.js";

let azurite: RunningAzurite;
let tableCounter = 0;

beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

/** Fresh tables per test, so contract cases cannot see each other's rows. */
async function freshStorage() {
  tableCounter += 1;
  const storage = createStorage(
    parseStorageConfig({
      AzureWebJobsStorage: azurite.connectionString,
      JOBS_TABLE: `jobs${tableCounter}`,
      THROTTLE_TABLE: `throttle${tableCounter}`,
      WAKE_QUEUE: `wake-${tableCounter}`,
    }),
  );
  await storage.ensureResources();
  return storage;
}

describeJobStoreContract("Azure Table Storage (Azurite)", async () => (await freshStorage()).jobs);
describeThrottleStoreContract("Azure Table Storage (Azurite)", async () => (await freshStorage()).throttle);
describeDestinationIndexContract(
  "Azure Table Storage (Azurite)",
  async () => (await freshStorage()).destinations,
);

describe("TableJobStore row shape", () => {
  it("writes offsets, sizes and times as explicit Int64 columns (real Azure rejects untyped large numbers)", async () => {
    const storage = await freshStorage();
    const job = makeJob({
      fingerprint: { size: 5 * 1024 ** 3, version: "v" },
      nextWakeAt: 1_800_000_000_000,
    });
    await storage.jobs.createJobs([job]);
    const raw = TableClient.fromConnectionString(
      azurite.connectionString,
      storage.clients.jobsTable.tableName,
      {
        allowInsecureConnection: true,
      },
    );
    const entity = await raw.getEntity<Record<string, unknown>>(job.requestId, job.jobId, {
      disableTypeConversion: true,
    });
    expect(entity.size).toEqual({ value: String(5 * 1024 ** 3), type: "Int64" });
    expect(entity.nextWakeAt).toEqual({ value: "1800000000000", type: "Int64" });
    expect(entity.confirmedOffset).toEqual({ value: "0", type: "Int64" });
    expect(entity.leaseUntil).toEqual({ value: "0", type: "Int64" });
    expect(entity.wakeSeq).toEqual({ value: "0", type: "Int64" });
    expect(entity.status).toEqual({ value: "queued", type: "String" });
    expect(entity.driveId).toEqual({ value: "b!drive-one", type: "String" });
  });
});
