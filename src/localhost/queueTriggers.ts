/**
 * Polls Azure Queue Storage for each queue-triggered function with the host's semantics (host.json
 * `extensions.queues`; Microsoft docs "Azure Queue storage trigger", "Poison messages" and "Polling algorithm"):
 * - fetch up to `batchSize` messages, and fetch again when in-flight work drops to `newBatchThreshold` (at once
 *   after a batch, once its invocations have started: {@link letDispatchedStart});
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
import { resolveSettings } from "./appSettings.js";
import type { ProgrammingModel } from "./coreTypes.js";
import type { QueueHostSettings } from "./hostJson.js";
import { type HostLog, triggerBinding } from "./invoke.js";
import type { OutputWriter } from "./outputBindings.js";
import { describe, handleQueueMessage, type QueueFunction } from "./queueMessageHandler.js";
import { type QueueClients, queueKey } from "./storageConnections.js";
import type { Registration } from "./virtualCore.js";
import { type WakeableSleep, wakeableSleep } from "./wakeableSleep.js";

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
  const fn: QueueFunction = {
    registration,
    model: options.model,
    queue: await options.clients.queue(trigger.connection, queueName),
    poison: await options.clients.queue(trigger.connection, `${queueName}-poison`),
    queueName,
    settings: options.settings,
    leaseMs: options.messageLeaseMs ?? 60_000,
    log: options.log,
    writeOutputs: options.writeOutputs,
  };
  const poller: Poller = { running: true, inFlight: new Set(), waits: wakeableSleep() };
  const looping = pollQueue(fn, poller, options.minPollingIntervalMs ?? 100);

  return {
    functionName: registration.metadata.name,
    queueName,
    key: queueKey(trigger.connection, queueName),
    wake: poller.waits.wake,
    stop: async () => {
      poller.running = false;
      poller.waits.wake();
      await looping;
      await Promise.allSettled([...poller.inFlight]);
    },
  };
}

/** A listener's polling state, shared by its loop and its `stop`. */
interface Poller {
  running: boolean;
  readonly inFlight: Set<Promise<void>>;
  readonly waits: WakeableSleep;
}

/** Fetches batches while in-flight work allows, backing off exponentially while the queue stays empty. */
async function pollQueue(fn: QueueFunction, poller: Poller, minPollMs: number): Promise<void> {
  const { settings, log, queue, queueName } = fn;
  const name = fn.registration.metadata.name;
  const { inFlight, waits } = poller;
  let delay = minPollMs;
  while (poller.running) {
    if (inFlight.size > settings.newBatchThreshold) {
      await Promise.race(inFlight);
      continue;
    }
    let messages: DequeuedMessageItem[] = [];
    const woken = waits.takeWake();
    try {
      const response = await queue.receiveMessages({
        numberOfMessages: Math.min(32, Math.max(1, settings.batchSize)),
        visibilityTimeout: Math.ceil(fn.leaseMs / 1000),
        abortSignal: AbortSignal.timeout(30_000),
      });
      messages = response.receivedMessageItems;
    } catch (err: unknown) {
      if (poller.running) log("warning", `${name}: polling ${queueName} failed: ${describe(err)}`);
    }
    for (const message of messages) {
      const task = handleQueueMessage(message, fn)
        .catch((err: unknown) => log("error", `${name}: message handling failed: ${describe(err)}`))
        .finally(() => inFlight.delete(task));
      inFlight.add(task);
    }
    if (messages.length > 0) await letDispatchedStart();
    if (messages.length > 0 || woken) delay = minPollMs;
    if (messages.length === 0) {
      await waits.sleep(delay);
      delay = Math.min(delay * 2, settings.maxPollingIntervalMs);
    }
  }
}

/**
 * Lets the invocations just dispatched run up to their first storage call before the listener polls again (one
 * turn of the event loop). The real host also starts each message's processing before it re-polls at once
 * (QueueListener.ExecuteAsync, then CreateSucceededResult, docs/platform.md "The queue listener"), and the two
 * then run concurrently with no order between them, so this keeps the host faithful. It matters for speed: the
 * step function's first call is its lease write, on the critical path of every step, and the re-poll (empty
 * while a job runs alone) used to reach Azurite first and delay it by 1.5-3 ms a step (docs/pipeline.md "What a
 * step costs beyond the CLI path"; test/integration/http/localhostPollOrder.test.ts).
 */
function letDispatchedStart(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
