/**
 * The host.json settings the local host honours, with the Functions host's defaults (Microsoft docs,
 * "host.json reference for Azure Functions 2.x and later", queues and http sections).
 */
import { readFile } from "node:fs/promises";
import path from "node:path";

export interface QueueHostSettings {
  readonly batchSize: number;
  readonly newBatchThreshold: number;
  /** Longest wait between polls of an empty queue (the host backs off exponentially up to this). */
  readonly maxPollingIntervalMs: number;
  /** How long a failed message stays invisible before it is retried. */
  readonly visibilityTimeoutMs: number;
  readonly maxDequeueCount: number;
  readonly messageEncoding: "base64" | "none";
}

export interface HostSettings {
  readonly routePrefix: string;
  readonly queues: QueueHostSettings;
}

export const HOST_DEFAULTS: HostSettings = {
  routePrefix: "api",
  queues: {
    batchSize: 16,
    newBatchThreshold: 8,
    maxPollingIntervalMs: 60_000,
    visibilityTimeoutMs: 0,
    maxDequeueCount: 5,
    messageEncoding: "base64",
  },
};

export async function readHostSettings(appDir: string): Promise<HostSettings> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path.join(appDir, "host.json"), "utf8"));
  } catch (err: unknown) {
    if ((err as { code?: unknown }).code === "ENOENT") return HOST_DEFAULTS;
    throw new Error(`host.json could not be read: ${err instanceof Error ? err.message : String(err)}`);
  }
  return parseHostSettings(raw);
}

export function parseHostSettings(raw: unknown): HostSettings {
  const extensions = objectAt(raw, "extensions");
  const http = objectAt(extensions, "http");
  const queues = objectAt(extensions, "queues");
  const batchSize = numberAt(queues, "batchSize") ?? HOST_DEFAULTS.queues.batchSize;
  const routePrefix = typeof http.routePrefix === "string" ? http.routePrefix : HOST_DEFAULTS.routePrefix;
  const encoding = queues.messageEncoding;
  return {
    routePrefix: routePrefix.replace(/^\/+|\/+$/g, ""),
    queues: {
      batchSize,
      // The host's default threshold is half the batch size.
      newBatchThreshold: numberAt(queues, "newBatchThreshold") ?? Math.floor(batchSize / 2),
      maxPollingIntervalMs:
        durationAt(queues, "maxPollingInterval") ?? HOST_DEFAULTS.queues.maxPollingIntervalMs,
      visibilityTimeoutMs:
        durationAt(queues, "visibilityTimeout") ?? HOST_DEFAULTS.queues.visibilityTimeoutMs,
      maxDequeueCount: numberAt(queues, "maxDequeueCount") ?? HOST_DEFAULTS.queues.maxDequeueCount,
      messageEncoding: encoding === "none" ? "none" : "base64",
    },
  };
}

/** host.json durations are TimeSpans (`00:00:30`, `1.00:00:00`); maxPollingInterval may also be milliseconds. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value !== "string") return undefined;
  const match = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$/.exec(value.trim());
  if (!match) return /^\d+$/.test(value.trim()) ? Number(value) : undefined;
  const [, days = "0", hours = "0", minutes = "0", seconds = "0", fraction = "0"] = match;
  return (
    ((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60_000 +
    Number(seconds) * 1000 +
    Math.round(Number(`0.${fraction}`) * 1000)
  );
}

function objectAt(value: unknown, key: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null) return {};
  const child = (value as Record<string, unknown>)[key];
  return typeof child === "object" && child !== null ? (child as Record<string, unknown>) : {};
}

function numberAt(value: Record<string, unknown>, key: string): number | undefined {
  return typeof value[key] === "number" ? (value[key] as number) : undefined;
}

function durationAt(value: Record<string, unknown>, key: string): number | undefined {
  return parseDuration(value[key]);
}
