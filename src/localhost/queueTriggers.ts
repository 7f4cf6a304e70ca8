/**
 * Polls Azure Queue Storage for each queue-triggered function with the host's semantics (host.json
 * `extensions.queues`; Microsoft docs "Azure Queue storage trigger", "Poison messages" and "Polling algorithm"):
 * - fetch up to `batchSize` messages, and fetch again when in-flight work drops to `newBatchThreshold`;
 * - an empty queue is polled with exponential back-off from 100 ms up to `maxPollingInterval`, except that a
 *   message an output binding of this host writes to the queue is picked up at once ({@link QueueListener.wake};
 *   the host's queue extension does the same through its SharedQueueWatcher);
 * - a message is held invisible while its function runs (the lease is renewed at half its length);
 * - success: output bindings are written, then the message is deleted;
 * - failure: the message becomes visible again after `visibilityTimeout`; once its dequeue count reaches
 *   `maxDequeueCount` it is moved to `<queue>-poison` instead (with the same encoded text);
 * - a message already past `maxDequeueCount` when received (its worker died) goes to poison unprocessed;
 * - under `messageEncoding: base64`, a message that is not base64 goes to poison at once, unprocessed, as the
 *   queue extension has done since 5.0 (azure-sdk-for-net PR 18326). This app uses `none` (issue 16).
 */
import type { DequeuedMessageItem } from "@azure/storage-queue";
import { redactSecrets } from "../core/shared/redact.js";
import { resolveSettings } from "./appSettings.js";
import type { ProgrammingModel } from "./coreTypes.js";
import type { QueueHostSettings } from "./hostJson.js";
import { type HostLog, invoke, triggerBinding } from "./invoke.js";
import type { OutputWriter } from "./outputBindings.js";
import { decodeMessage, triggerMetadataFor } from "./queueMessages.js";
import { type QueueClients, queueKey } from "./storageConnections.js";
import type { Registration } from "./virtualCore.js";

export interface QueueListener {
  readonly functionName: string;
  readonly queueName: string;
  /** Identifies the queue across connections ({@link queueKey}). */
  readonly key: string;
  /** Polls again now (a message was just written to the queue), resetting the idle back-off. */
  wake(): void;
  stop(): Promise<void>;
}

export interface QueueListenerOptions {
  readonly model: ProgrammingModel;
  readonly clients: QueueClients;
  readonly settings: QueueHostSettings;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly log: HostLog;
  /** How long a received message stays invisible while its function runs; renewed at half (default 60 s). */
  readonly messageLeaseMs?: number;
  readonly minPollingIntervalMs?: number;
  /** Writes the function's queue outputs after it succeeded (and wakes the listeners of those queues). */
  readonly writeOutputs: OutputWriter;
}

export async function listenToQueue(
  registration: Registration,
  options: QueueListenerOptions,
): Promise<QueueListener> {
  const [, trigger] = triggerBinding(registration);
  const queueName = resolveSettings(String(trigger.queueName), options.env);
  const queue = await options.clients.queue(trigger.connection, queueName);
  const poison = await options.clients.queue(trigger.connection, `${queueName}-poison`);
  const { settings, log } = options;
  const leaseMs = options.messageLeaseMs ?? 60_000;
  const minPollMs = options.minPollingIntervalMs ?? 100;
  const name = registration.metadata.name;

  let running = true;
  const inFlight = new Set<Promise<void>>();
  // A wake that arrives while the loop is not sleeping (mid-poll, or waiting for in-flight work) is kept, so
  // the next sleep returns at once instead of losing it.
  let wakePending = false;
  let interruptSleep: (() => void) | undefined;
  const wake = () => {
    wakePending = true;
    interruptSleep?.();
  };
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (wakePending) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        interruptSleep = undefined;
        resolve();
      }
      interruptSleep = done;
    });

  const handleMessage = async (message: DequeuedMessageItem): Promise<void> => {
    let popReceipt = message.popReceipt;
    const renew = setInterval(() => {
      queue
        .updateMessage(message.messageId, popReceipt, undefined, Math.ceil(leaseMs / 1000), {
          abortSignal: AbortSignal.timeout(30_000),
        })
        .then((r) => {
          if (r.popReceipt) popReceipt = r.popReceipt;
        })
        .catch((err: unknown) => log("warning", `${name}: lease renewal failed: ${describe(err)}`));
    }, leaseMs / 2);
    try {
      if (message.dequeueCount > settings.maxDequeueCount) {
        await moveToPoison(
          message,
          popReceipt,
          `dequeue count ${message.dequeueCount} is over maxDequeueCount`,
        );
        return;
      }
      let body: string;
      try {
        body = decodeMessage(message.messageText, settings.messageEncoding);
      } catch (err: unknown) {
        await moveToPoison(message, popReceipt, describe(err));
        return;
      }
      try {
        const output = await invoke(
          options.model,
          registration,
          { triggerData: { string: body }, triggerMetadata: triggerMetadataFor(message, body) },
          log,
        );
        await options.writeOutputs(registration, output);
      } catch (err: unknown) {
        clearInterval(renew);
        log("error", `${name} failed (dequeue count ${message.dequeueCount}): ${describe(err)}`);
        if (message.dequeueCount >= settings.maxDequeueCount) {
          await moveToPoison(message, popReceipt, "maxDequeueCount reached");
        } else {
          await queue.updateMessage(
            message.messageId,
            popReceipt,
            undefined,
            Math.ceil(settings.visibilityTimeoutMs / 1000),
            { abortSignal: AbortSignal.timeout(30_000) },
          );
        }
        return;
      }
      clearInterval(renew);
      await queue.deleteMessage(message.messageId, popReceipt, { abortSignal: AbortSignal.timeout(30_000) });
    } finally {
      clearInterval(renew);
    }
  };

  const moveToPoison = async (message: DequeuedMessageItem, popReceipt: string, reason: string) => {
    log("warning", `${name}: moving message ${message.messageId} to ${queueName}-poison (${reason})`);
    await poison.sendMessage(message.messageText, { abortSignal: AbortSignal.timeout(30_000) });
    await queue.deleteMessage(message.messageId, popReceipt, { abortSignal: AbortSignal.timeout(30_000) });
  };

  const loop = async () => {
    let delay = minPollMs;
    while (running) {
      if (inFlight.size > settings.newBatchThreshold) {
        await Promise.race(inFlight);
        continue;
      }
      let messages: DequeuedMessageItem[] = [];
      const woken = wakePending;
      wakePending = false;
      try {
        const response = await queue.receiveMessages({
          numberOfMessages: Math.min(32, Math.max(1, settings.batchSize)),
          visibilityTimeout: Math.ceil(leaseMs / 1000),
          abortSignal: AbortSignal.timeout(30_000),
        });
        messages = response.receivedMessageItems;
      } catch (err: unknown) {
        if (running) log("warning", `${name}: polling ${queueName} failed: ${describe(err)}`);
      }
      for (const message of messages) {
        const task = handleMessage(message)
          .catch((err: unknown) => log("error", `${name}: message handling failed: ${describe(err)}`))
          .finally(() => inFlight.delete(task));
        inFlight.add(task);
      }
      if (messages.length > 0 || woken) delay = minPollMs;
      if (messages.length === 0) {
        await sleep(delay);
        delay = Math.min(delay * 2, settings.maxPollingIntervalMs);
      }
    }
  };
  const looping = loop();

  return {
    functionName: name,
    queueName,
    key: queueKey(trigger.connection, queueName),
    wake,
    stop: async () => {
      running = false;
      wake();
      await looping;
      await Promise.allSettled([...inFlight]);
    },
  };
}

function describe(err: unknown): string {
  return redactSecrets(err instanceof Error ? err.message : String(err));
}
