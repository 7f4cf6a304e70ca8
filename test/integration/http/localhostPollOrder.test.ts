/**
 * The local host's queue listener lets a message it just received start its function before it polls the queue
 * again (src/localhost/queueTriggers.ts): the function's first storage call reaches Azurite ahead of the
 * listener's re-poll. The step function's first call is its lease write, on the critical path of every step;
 * the re-poll (almost always empty while a job runs alone) used to go first and delay it (docs/pipeline.md "What
 * a step costs beyond the CLI path"). Real Azurite, behind a proxy that records the order requests arrive in.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { QueueClient } from "@azure/storage-queue";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { explicitDevStorageConnectionString } from "../../../src/localhost/azurite.js";
import { HOST_DEFAULTS } from "../../../src/localhost/hostJson.js";
import { listenToQueue, type QueueListener } from "../../../src/localhost/queueTriggers.js";
import { QueueClients } from "../../../src/localhost/storageConnections.js";
import { installVirtualCore, type VirtualCore } from "../../../src/localhost/virtualCore.js";
import { type RunningAzurite, startAzurite } from "../../support/azurite.js";

interface Arrival {
  readonly method: string;
  readonly path: string;
  /** A receive that answered with a message. */
  delivered: boolean;
}

let azurite: RunningAzurite;
let proxy: http.Server;
let connectionString: string;
const arrivals: Arrival[] = [];
let core: VirtualCore;
let handled: () => void;
const ran = new Promise<void>((resolve) => {
  handled = resolve;
});

/** Forwards to Azurite's queue service and records each request in arrival order. */
function recordingProxy(port: number): Promise<http.Server> {
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    const arrival: Arrival = {
      method: req.method ?? "",
      path: (req.url ?? "").split("?")[0] ?? "",
      delivered: false,
    };
    arrivals.push(arrival);
    const upstream = http.request(
      { host: "127.0.0.1", port, method: req.method, path: req.url, headers: req.headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.on("data", (chunk: Buffer) => {
          if (req.method === "GET" && chunk.includes("<QueueMessage>")) arrival.delivered = true;
        });
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

beforeAll(async () => {
  azurite = await startAzurite();
  proxy = await recordingProxy(azurite.queuePort);
  connectionString = explicitDevStorageConnectionString({
    blob: azurite.blobPort,
    queue: (proxy.address() as AddressInfo).port,
    table: azurite.tablePort,
  });
  core = installVirtualCore(() => undefined);
  const { app } = await import("@azure/functions");
  const side = new QueueClient(connectionString.replace(/;$/, ""), "pollorder-side");
  app.storageQueue("pollOrder", {
    queueName: "pollorder",
    connection: "AzureWebJobsStorage",
    // Its first storage call, as the step function's is its lease write.
    handler: async () => {
      await side.getProperties();
      handled();
    },
  });
});

afterAll(async () => {
  await new Promise((resolve) => proxy?.close(resolve));
  await azurite?.stop();
});

describe("local host queue listener", () => {
  it("lets a received message's function make its first storage call before the listener polls again", async () => {
    const registration = core.registrations.find((r) => r.metadata.name === "pollOrder");
    if (!registration) throw new Error("pollOrder is not registered");
    const env = { AzureWebJobsStorage: connectionString };
    const clients = new QueueClients(env);
    await (await clients.queue("AzureWebJobsStorage", "pollorder-side")).createIfNotExists();
    let listener: QueueListener | undefined;
    try {
      listener = await listenToQueue(registration, {
        model: core.programmingModel(),
        clients,
        // batchSize 4 and newBatchThreshold 2, as this app's host.json: the listener re-polls at once.
        settings: { ...HOST_DEFAULTS.queues, batchSize: 4, newBatchThreshold: 2, maxPollingIntervalMs: 200 },
        env,
        log: () => undefined,
        writeOutputs: async () => 0,
      });
      const queue = await clients.queue("AzureWebJobsStorage", "pollorder");
      await queue.sendMessage(Buffer.from("{}").toString("base64"));
      await ran;
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      await listener?.stop();
    }
    const delivery = arrivals.findIndex((a) => a.delivered);
    expect(delivery).toBeGreaterThanOrEqual(0);
    const next = arrivals[delivery + 1];
    // The function's own call (queue properties of pollorder-side), not a receive on pollorder/messages.
    expect(next?.path).toMatch(/\/pollorder-side$/);
    expect(
      arrivals.slice(delivery + 2).some((a) => a.method === "GET" && a.path.endsWith("/pollorder/messages")),
    ).toBe(true);
  });
});
