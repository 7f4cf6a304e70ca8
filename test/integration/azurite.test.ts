import { TableClient } from "@azure/data-tables";
import { QueueClient } from "@azure/storage-queue";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningAzurite, startAzurite } from "../support/azurite.js";

describe("Azurite test harness", () => {
  let azurite: RunningAzurite;
  beforeAll(async () => {
    azurite = await startAzurite();
  });
  afterAll(async () => {
    await azurite?.stop();
  });

  it("serves tables and queues on the ports it reported", async () => {
    const table = TableClient.fromConnectionString(azurite.connectionString, "harness", {
      allowInsecureConnection: true,
    });
    await table.createTable();
    await table.createEntity({ partitionKey: "p", rowKey: "r", value: 42 });
    expect((await table.getEntity<{ value: number }>("p", "r")).value).toBe(42);

    const queue = new QueueClient(azurite.connectionString, "harness");
    await queue.create();
    await queue.sendMessage("hello");
    const received = await queue.receiveMessages();
    expect(received.receivedMessageItems[0]?.messageText).toBe("hello");
  });
});
