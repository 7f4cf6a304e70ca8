import { QueueClient } from "@azure/storage-queue";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import hostJson from "../../../host.json" with { type: "json" };
import { QueueWake } from "../../../src/store/queueWake.js";
import {
  MAX_WAKE_MESSAGE_CHARS,
  parseWakeMessage,
  readWakeMessage,
  WAKE_MESSAGE_ENCODING,
} from "../../../src/store/wakeMessageCodec.js";
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
    // Plain JSON: host.json says messageEncoding none, so the host hands the text over as it is (issue 16).
    expect(item.messageText).toBe('{"jobId":"job-1","wakeSeq":3,"requestId":"req-1"}');
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

  it("still reads base64 JSON, as queued by older senders, and says why anything else is not a wake", () => {
    const old = Buffer.from('{"jobId":"a","wakeSeq":2}', "utf8").toString("base64");
    expect(readWakeMessage(old)).toEqual({ ok: true, message: { jobId: "a", wakeSeq: 2 } });
    const reasons = [
      "no base64 here!",
      Buffer.from("{nope", "utf8").toString("base64"),
      "x".repeat(MAX_WAKE_MESSAGE_CHARS + 1),
      { jobId: "a", wakeSeq: 1, extra: true },
      { jobId: "a", wakeSeq: -1 },
    ].map((item) => {
      const reading = readWakeMessage(item);
      return reading.ok ? "ok" : reading.reason;
    });
    expect(reasons).toEqual(["not-base64", "not-json", "oversized", "unknown-fields", "invalid-fields"]);
  });
});
