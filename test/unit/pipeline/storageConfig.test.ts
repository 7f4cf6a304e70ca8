import { ManagedIdentityCredential } from "@azure/identity";
import { describe, expect, it } from "vitest";
import { parsePipelineConfig } from "../../../src/config/pipeline.js";
import { parseStorageConfig, parseStorageNames } from "../../../src/config/storage.js";
import { ConfigError } from "../../../src/core/shared/validationError.js";
import { createStorageClients } from "../../../src/store/factory.js";

const KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

function problems(env: Record<string, string>): string[] {
  try {
    parseStorageConfig(env);
  } catch (err: unknown) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.field}: ${p.rule}`);
    throw err;
  }
  return [];
}

describe("storage configuration", () => {
  it("defaults the table and queue names", () => {
    const config = parseStorageConfig({ AzureWebJobsStorage: "UseDevelopmentStorage=true" });
    expect(config).toMatchObject({
      jobsTable: "uploadjobs",
      throttleTable: "drivethrottle",
      wakeQueue: "upload-wakes",
    });
    expect(parseStorageNames({ WAKE_QUEUE: "my-steps" }).wakeQueue).toBe("my-steps");
  });

  it("builds Azurite endpoints from UseDevelopmentStorage=true", () => {
    const clients = createStorageClients(
      parseStorageConfig({ AzureWebJobsStorage: "UseDevelopmentStorage=true" }),
    );
    expect(clients.jobsTable.url).toBe("http://127.0.0.1:10002/devstoreaccount1");
    expect(clients.jobsTable.tableName).toBe("uploadjobs");
    expect(clients.wakeQueue.url).toBe("http://127.0.0.1:10001/devstoreaccount1/upload-wakes");
    expect(clients.poisonQueue.url).toBe("http://127.0.0.1:10001/devstoreaccount1/upload-wakes-poison");
    expect(clients.blobService.url).toMatch(/^http:\/\/127\.0\.0\.1:10000\/devstoreaccount1\/?$/);
  });

  it("builds account endpoints from a full connection string", () => {
    const cs = `DefaultEndpointsProtocol=https;AccountName=mirrorstore;AccountKey=${KEY};EndpointSuffix=core.windows.net`;
    const clients = createStorageClients(
      parseStorageConfig({ AzureWebJobsStorage: cs, JOBS_TABLE: "jobsA" }),
    );
    expect(clients.jobsTable.url).toBe("https://mirrorstore.table.core.windows.net");
    expect(clients.jobsTable.tableName).toBe("jobsA");
    expect(clients.wakeQueue.url).toBe("https://mirrorstore.queue.core.windows.net/upload-wakes");
  });

  it("uses a managed identity against the account's endpoints with AzureWebJobsStorage__accountName", () => {
    const config = parseStorageConfig({
      AzureWebJobsStorage__accountName: "mirrorstore",
      AzureWebJobsStorage__credential: "managedidentity",
      AzureWebJobsStorage__clientId: "11111111-2222-3333-4444-555555555555",
    });
    expect(config.connection).toEqual({
      kind: "identity",
      tableServiceUrl: "https://mirrorstore.table.core.windows.net",
      queueServiceUrl: "https://mirrorstore.queue.core.windows.net",
      blobServiceUrl: "https://mirrorstore.blob.core.windows.net",
      clientId: "11111111-2222-3333-4444-555555555555",
    });
    const clients = createStorageClients(config);
    expect(clients.jobsTable.url).toBe("https://mirrorstore.table.core.windows.net");
    expect(clients.wakeQueue.url).toBe("https://mirrorstore.queue.core.windows.net/upload-wakes");
    expect(clients.blobService.url).toMatch(/^https:\/\/mirrorstore\.blob\.core\.windows\.net\/?$/);
  });

  it("uses explicit service URIs (sovereign clouds, private endpoints)", () => {
    const config = parseStorageConfig({
      AzureWebJobsStorage__tableServiceUri: "https://acct.table.core.usgovcloudapi.net/",
      AzureWebJobsStorage__queueServiceUri: "https://acct.queue.core.usgovcloudapi.net",
      AzureWebJobsStorage__blobServiceUri: "https://acct.blob.core.usgovcloudapi.net",
    });
    const clients = createStorageClients(config, { credential: new ManagedIdentityCredential() });
    expect(clients.jobsTable.url).toBe("https://acct.table.core.usgovcloudapi.net");
    expect(clients.wakeQueue.url).toBe("https://acct.queue.core.usgovcloudapi.net/upload-wakes");
  });

  it("names the setting and the rule for every bad value, never echoing a value", () => {
    expect(problems({})).toEqual([expect.stringMatching(/^AzureWebJobsStorage: is required/)]);
    expect(problems({ AzureWebJobsStorage: "not-a-connection-string" })).toEqual([
      expect.stringMatching(/^AzureWebJobsStorage: must be a storage connection string/),
    ]);
    expect(problems({ AzureWebJobsStorage: "@Microsoft.KeyVault(SecretUri=https://v/secrets/s)" })).toEqual([
      expect.stringMatching(/unresolved Key Vault reference/),
    ]);
    expect(
      problems({
        AzureWebJobsStorage: "UseDevelopmentStorage=true",
        AzureWebJobsStorage__accountName: "x1y2z3",
      }),
    ).toEqual([expect.stringMatching(/not both/)]);
    expect(
      problems({ AzureWebJobsStorage__accountName: "acct", AzureWebJobsStorage__credential: "secret" }),
    ).toEqual(["AzureWebJobsStorage__credential: must be managedidentity when set"]);
    expect(problems({ AzureWebJobsStorage__accountName: "Bad_Name" })[0]).toMatch(
      /^AzureWebJobsStorage__accountName/,
    );
    expect(problems({ AzureWebJobsStorage__tableServiceUri: "http://acct.table.core.windows.net" })).toEqual(
      expect.arrayContaining([
        "AzureWebJobsStorage__tableServiceUri: must be an https:// URL",
        expect.stringMatching(/^AzureWebJobsStorage__queueServiceUri: is required/),
        expect.stringMatching(/^AzureWebJobsStorage__blobServiceUri: is required/),
      ]),
    );
    const dev = { AzureWebJobsStorage: "UseDevelopmentStorage=true" };
    expect(problems({ ...dev, JOBS_TABLE: "1bad" })[0]).toMatch(/^JOBS_TABLE: must be a table name/);
    expect(problems({ ...dev, JOBS_TABLE: "same", THROTTLE_TABLE: "SAME" })).toEqual([
      "THROTTLE_TABLE: must differ from JOBS_TABLE",
    ]);
    expect(problems({ ...dev, WAKE_QUEUE: "Upper--case" })[0]).toMatch(/^WAKE_QUEUE: must be a queue name/);
    const secret = `DefaultEndpointsProtocol=https;AccountName=a;AccountKey=${KEY}`;
    expect(
      problems({ AzureWebJobsStorage: secret, AzureWebJobsStorage__accountName: "acct" }).join(),
    ).not.toContain(KEY);
  });
});

describe("pipeline configuration", () => {
  it("defaults to a 120 s step deadline, a lease 60 s longer, a 120 s sweep grace", () => {
    expect(parsePipelineConfig({})).toEqual({
      stepDeadlineMs: 120_000,
      leaseMs: 180_000,
      sweepGraceMs: 120_000,
      sweepBatch: 200,
    });
    expect(parsePipelineConfig({ STEP_DEADLINE_SECONDS: "60" }).leaseMs).toBe(120_000);
  });

  it("refuses deadlines that would not fit inside the function timeout", () => {
    expect(() => parsePipelineConfig({ STEP_DEADLINE_SECONDS: "900" })).toThrow(
      /STEP_DEADLINE_SECONDS: must be a whole number from 5 to 480/,
    );
    expect(() => parsePipelineConfig({ SWEEP_BATCH: "ten" })).toThrow(/SWEEP_BATCH/);
  });
});
