/**
 * The local host's virtual `@azure/functions-core`: the real `@azure/functions` registers into it (not "test
 * mode"), the exact binding metadata is recorded, and invocations through the app's programming model shape
 * queue input and trigger metadata as inside Azure.
 */
import type { DequeuedMessageItem } from "@azure/storage-queue";
import { beforeAll, describe, expect, it } from "vitest";
import { invoke } from "../../../src/localhost/invoke.js";
import {
  decodeMessage,
  encodeMessage,
  outputMessages,
  triggerMetadataFor,
} from "../../../src/localhost/queueMessages.js";
import { installVirtualCore, type VirtualCore } from "../../../src/localhost/virtualCore.js";

let core: VirtualCore;
const seen: { item?: unknown; metadata?: unknown } = {};

beforeAll(async () => {
  core = installVirtualCore(() => undefined);
  const { app, output } = await import("@azure/functions");
  app.http("hello", {
    route: "things/{id}",
    methods: ["GET"],
    authLevel: "function",
    handler: async () => ({}),
  });
  app.storageQueue("step", {
    queueName: "%STEP_QUEUE%",
    connection: "AzureWebJobsStorage",
    return: output.storageQueue({ queueName: "next", connection: "AzureWebJobsStorage" }),
    handler: async (item, context) => {
      seen.item = item;
      seen.metadata = context.triggerMetadata;
      return [{ jobId: "a", wakeSeq: 1 }, "plain"];
    },
  });
  app.timer("tick", { schedule: "0 */5 * * * *", handler: async () => undefined });
});

function binding(name: string, key: string) {
  const registration = core.registrations.find((r) => r.metadata.name === name);
  return registration?.metadata.bindings[key];
}

describe("virtual @azure/functions-core", () => {
  it("records every registration with its exact binding metadata", () => {
    expect(core.registrations.map((r) => r.metadata.name)).toEqual(["hello", "step", "tick"]);
    expect(Object.values(core.registrations[0]?.metadata.bindings ?? {})).toContainEqual(
      expect.objectContaining({
        type: "httpTrigger",
        route: "things/{id}",
        methods: ["GET"],
        authLevel: "function",
      }),
    );
    expect(Object.values(core.registrations[1]?.metadata.bindings ?? {})).toContainEqual(
      expect.objectContaining({ type: "queueTrigger", direction: "in", queueName: "%STEP_QUEUE%" }),
    );
    expect(binding("step", "$return")).toMatchObject({ type: "queue", direction: "out", queueName: "next" });
    expect(Object.values(core.registrations[2]?.metadata.bindings ?? {})).toContainEqual(
      expect.objectContaining({ type: "timerTrigger", schedule: "0 */5 * * * *" }),
    );
  });

  it("invokes a queue function with the parsed message and camel-cased trigger metadata", async () => {
    const registration = core.registrations.find((r) => r.metadata.name === "step");
    if (!registration) throw new Error("not registered");
    const text = '{"jobId":"j-1","wakeSeq":3}';
    const message: DequeuedMessageItem = {
      messageId: "m-1",
      popReceipt: "pr",
      messageText: encodeMessage(text, "base64"),
      dequeueCount: 2,
      insertedOn: new Date("2026-01-01T00:00:00Z"),
      expiresOn: new Date("2026-01-08T00:00:00Z"),
      nextVisibleOn: new Date("2026-01-01T00:01:00Z"),
    };
    const body = decodeMessage(message.messageText, "base64");
    const result = await invoke(
      core.programmingModel(),
      registration,
      { triggerData: { string: body }, triggerMetadata: triggerMetadataFor(message, body) },
      () => undefined,
    );
    expect(seen.item).toEqual({ jobId: "j-1", wakeSeq: 3 });
    expect(seen.metadata).toMatchObject({
      dequeueCount: 2,
      id: "m-1",
      popReceipt: "pr",
      insertionTime: "2026-01-01T00:00:00.000Z",
      jobId: "j-1",
      wakeSeq: 3,
    });
    expect(outputMessages(result.returnValue)).toEqual(['{"jobId":"a","wakeSeq":1}', "plain"]);
  });
});

describe("queue message encoding", () => {
  it("round-trips base64 and refuses text that is not base64", () => {
    expect(decodeMessage(encodeMessage('{"a":1}', "base64"), "base64")).toBe('{"a":1}');
    expect(() => decodeMessage('{"jobId":"x"}', "base64")).toThrow(/not valid base64/);
    expect(decodeMessage('{"jobId":"x"}', "none")).toBe('{"jobId":"x"}');
  });
});
