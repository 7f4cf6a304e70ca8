/**
 * The wake queue as a queue output binding. The host writes a binding's messages only when the handler
 * succeeds (docs/platform.md), and tells its own listener on that queue to poll at once (the queue extension's
 * SharedQueueWatcher; the built-in local host does the same). A message sent with the queue SDK instead waits
 * for the listener's next poll, up to host.json `maxPollingInterval` (2 s here) while the queue has been idle.
 */
import { output } from "@azure/functions";
import type { WakeMessage, WakeQueue } from "../core/ports/stores.js";
import { appServices } from "./appServices.js";

export const wakeQueueOutput = output.storageQueue({
  queueName: appServices().config.storageNames.wakeQueue,
  connection: "AzureWebJobsStorage",
});

/**
 * A WakeQueue for one invocation: immediate wakes are kept for the output binding (`immediate`, for the adapter
 * to hand to the host after the handler's work), delayed ones go through `delayed` (the queue SDK), because a
 * binding cannot delay a message.
 */
export function wakesForOutputBinding(delayed: WakeQueue): WakeQueue & { readonly immediate: WakeMessage[] } {
  const immediate: WakeMessage[] = [];
  return {
    immediate,
    async send(message, delayMs) {
      if (delayMs > 0) await delayed.send(message, delayMs);
      else immediate.push(message);
    },
  };
}
