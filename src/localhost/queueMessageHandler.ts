/**
 * What the local host does with one received queue message (queueTriggers.ts lists the host semantics it
 * follows): hold it invisible while its function runs, then delete it on success, make it visible again after
 * `visibilityTimeout` on failure, or move it to `<queue>-poison` once `maxDequeueCount` is reached or when it
 * cannot be decoded.
 */
import type { DequeuedMessageItem, QueueClient } from "@azure/storage-queue";
import { redactSecrets } from "../core/shared/redact.js";
import type { ProgrammingModel } from "./coreTypes.js";
import type { QueueHostSettings } from "./hostJson.js";
import { type HostLog, invoke } from "./invoke.js";
import type { OutputWriter } from "./outputBindings.js";
import { decodeMessage, triggerMetadataFor } from "./queueMessages.js";
import type { Registration } from "./virtualCore.js";

/** One queue-triggered function and the queues it reads from and poisons to. */
export interface QueueFunction {
  readonly registration: Registration;
  readonly model: ProgrammingModel;
  readonly queue: QueueClient;
  readonly poison: QueueClient;
  readonly queueName: string;
  readonly settings: QueueHostSettings;
  /** How long a received message stays invisible while its function runs; renewed at half. */
  readonly leaseMs: number;
  readonly log: HostLog;
  readonly writeOutputs: OutputWriter;
}

/** Every storage call gets its own deadline, so a hung connection cannot hold a message forever. */
const STORAGE_CALL_TIMEOUT_MS = 30_000;

export async function handleQueueMessage(message: DequeuedMessageItem, fn: QueueFunction): Promise<void> {
  const { queue, settings, log } = fn;
  const name = fn.registration.metadata.name;
  let popReceipt = message.popReceipt;
  const renew = setInterval(() => {
    queue
      .updateMessage(message.messageId, popReceipt, undefined, Math.ceil(fn.leaseMs / 1000), {
        abortSignal: AbortSignal.timeout(STORAGE_CALL_TIMEOUT_MS),
      })
      .then((r) => {
        if (r.popReceipt) popReceipt = r.popReceipt;
      })
      .catch((err: unknown) => log("warning", `${name}: lease renewal failed: ${describe(err)}`));
  }, fn.leaseMs / 2);
  try {
    if (message.dequeueCount > settings.maxDequeueCount) {
      const reason = `dequeue count ${message.dequeueCount} is over maxDequeueCount`;
      await moveToPoison(message, popReceipt, reason, fn);
      return;
    }
    let body: string;
    try {
      body = decodeMessage(message.messageText, settings.messageEncoding);
    } catch (err: unknown) {
      await moveToPoison(message, popReceipt, describe(err), fn);
      return;
    }
    try {
      const triggerMetadata = triggerMetadataFor(message, body);
      const output = await invoke(
        fn.model,
        fn.registration,
        { triggerData: { string: body }, triggerMetadata },
        log,
      );
      await fn.writeOutputs(fn.registration, output);
    } catch (err: unknown) {
      clearInterval(renew);
      log("error", `${name} failed (dequeue count ${message.dequeueCount}): ${describe(err)}`);
      await releaseFailed(message, popReceipt, fn);
      return;
    }
    clearInterval(renew);
    await queue.deleteMessage(message.messageId, popReceipt, {
      abortSignal: AbortSignal.timeout(STORAGE_CALL_TIMEOUT_MS),
    });
  } finally {
    clearInterval(renew);
  }
}

/** A failed run: poison at `maxDequeueCount`, else visible again after `visibilityTimeout`. */
async function releaseFailed(
  message: DequeuedMessageItem,
  popReceipt: string,
  fn: QueueFunction,
): Promise<void> {
  if (message.dequeueCount >= fn.settings.maxDequeueCount) {
    await moveToPoison(message, popReceipt, "maxDequeueCount reached", fn);
    return;
  }
  await fn.queue.updateMessage(
    message.messageId,
    popReceipt,
    undefined,
    Math.ceil(fn.settings.visibilityTimeoutMs / 1000),
    { abortSignal: AbortSignal.timeout(STORAGE_CALL_TIMEOUT_MS) },
  );
}

async function moveToPoison(
  message: DequeuedMessageItem,
  popReceipt: string,
  reason: string,
  fn: QueueFunction,
): Promise<void> {
  const name = fn.registration.metadata.name;
  fn.log("warning", `${name}: moving message ${message.messageId} to ${fn.queueName}-poison (${reason})`);
  // The same encoded text, so the poison message reads as the original did.
  await fn.poison.sendMessage(message.messageText, {
    abortSignal: AbortSignal.timeout(STORAGE_CALL_TIMEOUT_MS),
  });
  await fn.queue.deleteMessage(message.messageId, popReceipt, {
    abortSignal: AbortSignal.timeout(STORAGE_CALL_TIMEOUT_MS),
  });
}

/** An error in words for a log line, with anything secret-shaped removed. */
export function describe(err: unknown): string {
  return redactSecrets(err instanceof Error ? err.message : String(err));
}
