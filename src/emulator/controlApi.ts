/**
 * The control API for out-of-process use (`graph-mirror emulator` driven by another process): under
 * `/_emulator/` on the Graph listener, no Graph token needed, loopback clients only. Same data and fault rule
 * format as the in-process API; docs/emulator.md lists every endpoint.
 */
import type { IncomingMessage } from "node:http";
import { ConfigError } from "../core/shared/validationError.js";
import { isAdvanceable } from "./clock.js";
import { errors, GraphError } from "./errors.js";
import { parseFaultRule } from "./faults.js";
import { type BodyMeter, bodyChunks, empty, json, type Reply, readJson } from "./http.js";
import type { EmulatorInspector } from "./inspect.js";
import { type EmulatorState, MAX_LATENCY_MS } from "./state.js";

export const CONTROL_PREFIX = "/_emulator/";
/** putItem through HTTP buffers the body: meant for small test files. */
const MAX_PUT_ITEM_BYTES = 64 * 1024 * 1024;

const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

function required(url: URL, name: string): string {
  const value = url.searchParams.get(name);
  if (!value) throw errors.invalidRequest(`${name}: query parameter is required.`);
  return value;
}

async function readBytes(req: IncomingMessage, meter: BodyMeter): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of bodyChunks(req, meter)) {
    total += chunk.length;
    if (total > MAX_PUT_ITEM_BYTES)
      throw errors.invalidRequest(`The body must be at most ${MAX_PUT_ITEM_BYTES} bytes.`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** What one control endpoint needs: the state, the inspector, the request and its URL. */
interface ControlCall {
  readonly state: EmulatorState;
  readonly inspect: EmulatorInspector;
  readonly req: IncomingMessage;
  readonly url: URL;
  readonly meter: BodyMeter;
}

type ControlHandler = (call: ControlCall) => Reply | Promise<Reply>;

function info({ state }: ControlCall): Reply {
  return json(200, {
    graphBaseUrl: state.graphBaseUrl,
    uploadOrigin: state.uploadOrigin,
    profile: state.profile,
    now: state.clock.now(),
    drives: [...state.directory.drives.values()].map((d) => ({ id: d.id, name: d.name, webUrl: d.webUrl })),
  });
}

function itemContent({ inspect, url }: ControlCall): Reply {
  const bytes = inspect.readItem(required(url, "driveId"), required(url, "path"));
  if (!bytes) throw errors.itemNotFound();
  return {
    kind: "bytes",
    status: 200,
    length: bytes.length,
    pieces: [bytes],
    headers: { "content-type": "application/octet-stream" },
  };
}

/** `{"ms": N}` from the body: a non-negative number of milliseconds, or a 400 naming the field. */
async function readMs({ state, req, meter }: ControlCall, whole: boolean): Promise<number> {
  const body = await readJson(req, meter, state.limits.maxJsonBodyBytes);
  const ms = typeof body === "object" && body !== null ? (body as { ms?: unknown }).ms : undefined;
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0 || (whole && !Number.isInteger(ms))) {
    throw errors.invalidRequest(`ms: must be a non-negative ${whole ? "whole " : ""}number of milliseconds.`);
  }
  return ms;
}

async function advanceClock(call: ControlCall): Promise<Reply> {
  const ms = await readMs(call, false);
  const { clock } = call.state;
  if (!isAdvanceable(clock)) {
    throw new GraphError(409, "invalidRequest", "The injected clock cannot be advanced over HTTP.");
  }
  clock.advance(ms);
  return json(200, { now: clock.now() });
}

/** Every fixed endpoint, by `METHOD path` (docs/emulator.md "Control API"). */
const ENDPOINTS: Readonly<Record<string, ControlHandler>> = {
  "GET info": info,
  "GET items": ({ inspect, url }) => json(200, inspect.items(url.searchParams.get("driveId") ?? undefined)),
  "GET items/item": ({ inspect, url }) => {
    const item = inspect.item(required(url, "driveId"), required(url, "path"));
    if (!item) throw errors.itemNotFound();
    return json(200, item);
  },
  "GET items/content": itemContent,
  "PUT items/content": async ({ inspect, req, url, meter }) => {
    const driveId = required(url, "driveId");
    const itemPath = required(url, "path");
    return json(200, inspect.putItem(driveId, itemPath, await readBytes(req, meter)));
  },
  "GET requests": ({ inspect }) => json(200, inspect.requestLog()),
  "DELETE requests": ({ inspect }) => {
    inspect.clearLog();
    return empty(204);
  },
  "GET counters": ({ inspect }) => json(200, inspect.counters()),
  "GET sessions": ({ inspect }) => json(200, inspect.sessions()),
  "GET faults": ({ state }) => json(200, state.faults.list()),
  "POST faults": async ({ state, req, meter }) => {
    const rule = parseFaultRule(await readJson(req, meter, state.limits.maxJsonBodyBytes));
    return json(201, { id: state.faults.add(rule).id });
  },
  "DELETE faults": ({ state }) => {
    state.faults.clear();
    return empty(204);
  },
  "GET clock": ({ state }) => json(200, { now: state.clock.now() }),
  "POST clock/advance": advanceClock,
  "GET latency": ({ state }) => json(200, { ms: state.latencyMs }),
  "PUT latency": async (call) => {
    const ms = await readMs(call, true);
    if (ms > MAX_LATENCY_MS)
      throw errors.invalidRequest(`ms: must be at most ${MAX_LATENCY_MS} milliseconds.`);
    call.state.latencyMs = ms;
    return json(200, { ms: call.state.latencyMs });
  },
};

/** `DELETE faults/{id}`, the one endpoint with a variable path. */
function removeFault(state: EmulatorState, method: string, path: string): Reply | undefined {
  const fault = /^faults\/([^/]+)$/.exec(path);
  if (method !== "DELETE" || !fault?.[1]) return undefined;
  if (!state.faults.remove(decodeURIComponent(fault[1]))) throw errors.itemNotFound("No such fault rule.");
  return empty(204);
}

export async function handleControl(
  state: EmulatorState,
  inspect: EmulatorInspector,
  req: IncomingMessage,
  url: URL,
  meter: BodyMeter,
): Promise<Reply> {
  if (!LOOPBACK.has(req.socket.remoteAddress ?? "")) {
    throw errors.accessDenied("The emulator control API only answers loopback clients.");
  }
  const method = req.method ?? "GET";
  const path = url.pathname.slice(CONTROL_PREFIX.length).replace(/\/$/, "");
  try {
    const handler = Object.hasOwn(ENDPOINTS, `${method} ${path}`)
      ? ENDPOINTS[`${method} ${path}`]
      : undefined;
    if (handler) return await handler({ state, inspect, req, url, meter });
    const removed = removeFault(state, method, path);
    if (removed) return removed;
    throw errors.itemNotFound("No such emulator control endpoint.");
  } catch (err: unknown) {
    if (err instanceof ConfigError) throw errors.invalidRequest(err.message);
    throw err;
  }
}
