/**
 * Streams a request body into a blob writer chunk by chunk (never the whole body in memory), hashing as it goes,
 * and plays the body faults: `partialThenReset` keeps only the first N bytes, `resetMidBody` keeps nothing.
 */
import type { IncomingMessage } from "node:http";
import type { QuickXorHash } from "../core/shared/quickXorHash.js";
import type { FragmentWriter } from "./content/contentStore.js";
import type { Fault } from "./faults.js";
import { type BodyMeter, bodyChunks } from "./http.js";

export type BodyFault = Extract<Fault, { type: "partialThenReset" | "resetMidBody" | "storeThenFail" }>;

export type ReceiveOutcome =
  /** The whole body arrived and was committed. */
  | { readonly kind: "complete"; readonly bytes: number }
  /** The fault cut the connection; `committed` bytes (from the start) were kept. */
  | { readonly kind: "reset"; readonly committed: number };

export interface ReceiveOptions {
  readonly req: IncomingMessage;
  readonly meter: BodyMeter;
  readonly writer: FragmentWriter;
  /** Updated with exactly the committed bytes; the caller restores it if receiving throws. */
  readonly hash?: QuickXorHash;
  readonly expectedLength: number;
  readonly fault?: BodyFault;
  /** Thrown as soon as the body grows past `limit.bytes` (bodies without Content-Length). */
  readonly limit?: { readonly bytes: number; readonly error: () => Error };
}

export async function receiveBody(options: ReceiveOptions): Promise<ReceiveOutcome> {
  const { writer, hash, fault } = options;
  const keepOnly = fault?.type === "partialThenReset" ? fault.bytes : undefined;
  const resetAfter =
    fault?.type === "resetMidBody" ? (fault.afterBytes ?? Math.floor(options.expectedLength / 2)) : undefined;
  let received = 0;
  try {
    for await (const chunk of bodyChunks(options.req, options.meter)) {
      const start = received;
      received += chunk.length;
      if (options.limit && received > options.limit.bytes) throw options.limit.error();
      if (resetAfter !== undefined) {
        if (received >= resetAfter) {
          await writer.abort();
          return { kind: "reset", committed: 0 };
        }
        continue;
      }
      const piece =
        keepOnly !== undefined && received > keepOnly
          ? chunk.subarray(0, Math.max(0, keepOnly - start))
          : chunk;
      if (piece.length > 0) {
        await writer.write(piece);
        hash?.update(piece);
      }
      if (keepOnly !== undefined && received >= keepOnly) {
        await writer.commit(keepOnly);
        return { kind: "reset", committed: keepOnly };
      }
    }
  } catch (err: unknown) {
    await writer.abort();
    throw err;
  }
  if (resetAfter !== undefined) {
    await writer.abort();
    return { kind: "reset", committed: 0 };
  }
  if (keepOnly !== undefined) {
    await writer.commit(received);
    return { kind: "reset", committed: received };
  }
  await writer.commit();
  return { kind: "complete", bytes: received };
}
