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
import type { EmulatorState } from "./state.js";

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
    switch (`${method} ${path}`) {
      case "GET info":
        return json(200, {
          graphBaseUrl: state.graphBaseUrl,
          uploadOrigin: state.uploadOrigin,
          profile: state.profile,
          now: state.clock.now(),
          drives: [...state.directory.drives.values()].map((d) => ({
            id: d.id,
            name: d.name,
            webUrl: d.webUrl,
          })),
        });
      case "GET items":
        return json(200, inspect.items(url.searchParams.get("driveId") ?? undefined));
      case "GET items/item": {
        const item = inspect.item(required(url, "driveId"), required(url, "path"));
        if (!item) throw errors.itemNotFound();
        return json(200, item);
      }
      case "GET items/content": {
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
      case "PUT items/content": {
        const driveId = required(url, "driveId");
        const itemPath = required(url, "path");
        return json(200, inspect.putItem(driveId, itemPath, await readBytes(req, meter)));
      }
      case "GET requests":
        return json(200, inspect.requestLog());
      case "DELETE requests":
        inspect.clearLog();
        return empty(204);
      case "GET counters":
        return json(200, inspect.counters());
      case "GET sessions":
        return json(200, inspect.sessions());
      case "GET faults":
        return json(200, state.faults.list());
      case "POST faults": {
        const handle = state.faults.add(
          parseFaultRule(await readJson(req, meter, state.limits.maxJsonBodyBytes)),
        );
        return json(201, { id: handle.id });
      }
      case "DELETE faults":
        state.faults.clear();
        return empty(204);
      case "GET clock":
        return json(200, { now: state.clock.now() });
      case "POST clock/advance": {
        const body = await readJson(req, meter, state.limits.maxJsonBodyBytes);
        const ms = typeof body === "object" && body !== null ? (body as { ms?: unknown }).ms : undefined;
        if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) {
          throw errors.invalidRequest("ms: must be a non-negative number of milliseconds.");
        }
        if (!isAdvanceable(state.clock)) {
          throw new GraphError(409, "invalidRequest", "The injected clock cannot be advanced over HTTP.");
        }
        state.clock.advance(ms);
        return json(200, { now: state.clock.now() });
      }
      default: {
        const fault = /^faults\/([^/]+)$/.exec(path);
        if (method === "DELETE" && fault?.[1]) {
          if (!state.faults.remove(decodeURIComponent(fault[1])))
            throw errors.itemNotFound("No such fault rule.");
          return empty(204);
        }
        throw errors.itemNotFound("No such emulator control endpoint.");
      }
    }
  } catch (err: unknown) {
    if (err instanceof ConfigError) throw errors.invalidRequest(err.message);
    throw err;
  }
}
