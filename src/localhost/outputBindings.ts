/**
 * Writes a successful invocation's queue output bindings (`output.storageQueue`, and `return:` bound to a
 * queue), as the host does only after the handler succeeded (docs/platform.md). Other output types are not
 * supported locally and are reported once at start-up. After writing to a queue it tells the host, which wakes
 * that queue's listener at once: the Functions host does the same for queues its own functions write to (the
 * queue extension's SharedQueueWatcher), so a continuation does not wait for the next poll.
 */
import { resolveSettings } from "./appSettings.js";
import type { InvocationOutput } from "./invoke.js";
import { encodeMessage, outputMessages } from "./queueMessages.js";
import { type QueueClients, queueKey } from "./storageConnections.js";
import type { Registration } from "./virtualCore.js";

/** Told after an output binding wrote to a queue (its {@link queueKey}), so a listener can pick it up at once. */
export type QueueWritten = (key: string) => void;

/**
 * Writes one successful invocation's queue outputs and answers how many messages went out. The host builds one
 * (its clients, settings and listeners bound in) and every trigger kind uses it.
 */
export type OutputWriter = (registration: Registration, output: InvocationOutput) => Promise<number>;

export function unsupportedOutputs(registration: Registration): string[] {
  return Object.entries(registration.metadata.bindings)
    .filter(([, b]) => b.direction === "out" && !["queue", "http"].includes(b.type.toLowerCase()))
    .map(([name, b]) => `${registration.metadata.name}.${name} (${b.type})`);
}

export async function writeQueueOutputs(
  registration: Registration,
  output: InvocationOutput,
  clients: QueueClients,
  env: Readonly<Record<string, string | undefined>>,
  encoding: "base64" | "none",
  onWritten: QueueWritten = () => undefined,
): Promise<number> {
  let written = 0;
  for (const [name, binding] of Object.entries(registration.metadata.bindings)) {
    if (binding.direction !== "out" || binding.type.toLowerCase() !== "queue") continue;
    const value = name === "$return" ? output.returnValue : output.outputs.get(name);
    const messages = outputMessages(value);
    if (messages.length === 0) continue;
    const queueName = resolveSettings(String(binding.queueName), env);
    const queue = await clients.queue(binding.connection, queueName);
    for (const text of messages) {
      await queue.sendMessage(encodeMessage(text, encoding), { abortSignal: AbortSignal.timeout(30_000) });
      written++;
    }
    onWritten(queueKey(binding.connection, queueName));
  }
  return written;
}
