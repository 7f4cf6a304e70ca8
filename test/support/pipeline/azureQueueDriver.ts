/**
 * Drives the real step function handler from a real (Azurite) queue the way the Functions host does: receive,
 * decode per host.json `messageEncoding` (base64: the host decodes, then hands JSON over as an object), call
 * the handler with an InvocationContext, write its return value through the "output binding" (encoded the same
 * way), delete the message. Optionally delivers every message twice (at-least-once delivery).
 */
import { InvocationContext } from "@azure/functions";
import type { QueueClient } from "@azure/storage-queue";
import hostJson from "../../../host.json" with { type: "json" };
import type { WakeMessage } from "../../../src/core/ports/stores.js";
import { encodeWakeMessage } from "../../../src/store/wakeMessageCodec.js";

export type StepHandler = (item: unknown, context: InvocationContext) => Promise<WakeMessage | undefined>;

export interface DriverOptions {
  readonly queue: QueueClient;
  readonly handler: StepHandler;
  /** Deliver every message twice, the second time after the first was handled. */
  readonly duplicate?: boolean;
  /** Called after each invocation, for per-invocation assertions. */
  readonly afterInvocation?: (index: number) => void;
}

export function decodeAsHost(messageText: string): unknown {
  const text =
    hostJson.extensions.queues.messageEncoding === "base64"
      ? Buffer.from(messageText, "base64").toString("utf8")
      : messageText;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export class AzureQueueDriver {
  invocations = 0;
  constructor(private readonly options: DriverOptions) {}

  /** Runs until the queue is empty; throws if more than `maxInvocations` are needed. */
  async drain(maxInvocations: number): Promise<void> {
    const { queue } = this.options;
    for (;;) {
      const received = await queue.receiveMessages({ numberOfMessages: 1, visibilityTimeout: 600 });
      const message = received.receivedMessageItems[0];
      if (!message) return;
      const deliveries = this.options.duplicate ? 2 : 1;
      for (let d = 0; d < deliveries; d++) {
        if (++this.invocations > maxInvocations) throw new Error(`more than ${maxInvocations} invocations`);
        const context = new InvocationContext({
          functionName: "uploadWake",
          invocationId: `inv-${this.invocations}`,
          triggerMetadata: { dequeueCount: message.dequeueCount + d },
          logHandler: () => {},
        });
        const output = await this.options.handler(decodeAsHost(message.messageText), context);
        if (output) await queue.sendMessage(encodeWakeMessage(output));
        this.options.afterInvocation?.(this.invocations);
      }
      await queue.deleteMessage(message.messageId, message.popReceipt);
    }
  }
}
