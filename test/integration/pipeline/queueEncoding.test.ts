import { QueueClient } from "@azure/storage-queue";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import hostJson from "../../../host.json" with { type: "json" };
import { QueueWake } from "../../../src/store/queueWake.js";
import { parseWakeMessage, WAKE_MESSAGE_ENCODING } from "../../../src/store/wakeMessageCodec.js";
import { type RunningAzurite, startAzurite } from "../../support/azurite.js";
import { decodeAsHost } from "../../support/pipeline/azureQueueDriver.js";

let azurite: RunningAzurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

describe("wake messages on a real queue", () => {
  it("are encoded the way host.json tells the queue trigger to decode them", async () => {
    expect(hostJson.extensions.queues.messageEncoding).toBe(WAKE_MESSAGE_ENCODING);
    const queue = new QueueClient(azurite.connectionString, "encoding-test");
    await queue.create();
    const wake = new QueueWake(queue);
    await wake.send({ jobId: "job-1", requestId: "req-1", wakeSeq: 3 }, 0);
    const [item] = (await queue.receiveMessages()).receivedMessageItems;
    if (!item) throw new Error("no message");
    // The raw text is base64 (plain JSON would go straight to poison under the host's default).
    expect(item.messageText).toMatch(/^[A-Za-z0-9+/]+=*$/);
    const asHostGivesIt = decodeAsHost(item.messageText);
    expect(asHostGivesIt).toEqual({ jobId: "job-1", wakeSeq: 3, requestId: "req-1" });
    expect(parseWakeMessage(asHostGivesIt)).toEqual({ jobId: "job-1", requestId: "req-1", wakeSeq: 3 });
    expect(parseWakeMessage(item.messageText)).toEqual({ jobId: "job-1", requestId: "req-1", wakeSeq: 3 });
    expect(item.messageText.length).toBeLessThan(200);
  });

  it("delays a message by its visibility timeout", async () => {
    const queue = new QueueClient(azurite.connectionString, "delay-test");
    await queue.create();
    const wake = new QueueWake(queue);
    await wake.send({ jobId: "later", wakeSeq: 1 }, 60_000);
    await wake.send({ jobId: "now", wakeSeq: 1 }, 0);
    const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 32 });
    expect(receivedMessageItems.map((m) => parseWakeMessage(m.messageText)?.jobId)).toEqual(["now"]);
    const peek = await queue.getProperties();
    expect(peek.approximateMessagesCount).toBe(2);
  });

  it("rejects messages that are not wake messages", () => {
    expect(parseWakeMessage({ id: "x", wakeSeq: 1 })).toBeUndefined();
    expect(parseWakeMessage({ jobId: "a/b", wakeSeq: 1 })).toBeUndefined();
    expect(parseWakeMessage({ jobId: "a", wakeSeq: -1 })).toBeUndefined();
    expect(parseWakeMessage({ jobId: "a", wakeSeq: 1, uploadUrl: "https://x" })).toBeUndefined();
    expect(parseWakeMessage("not base64 json")).toBeUndefined();
  });
});
