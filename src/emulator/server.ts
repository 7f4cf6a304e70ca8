/**
 * Two listeners, as in production: the Graph host (bearer token, `/v1.0/...`, plus the control API) and a
 * separate upload host for upload URLs, so "no Authorization header on upload URLs" and "no Graph token to other
 * hosts" can be tested (docs/graph-protocol.md "Upload sessions"). Every response carries `request-id` and `client-request-id`;
 * every Graph and upload request is logged (without its query string) and may be hit by a fault rule.
 */
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { CONTROL_PREFIX, handleControl } from "./controlApi.js";
import { errorBody, errors, GraphError, type HostKind } from "./errors.js";
import { type CommitFault, defaultCodeFor, type Fault, throttleHeaders } from "./faults.js";
import { gatewayHtmlReply } from "./gatewayPage.js";
import { handleGraphRequest } from "./graphApi.js";
import { type GraphRoute, routeGraph } from "./graphRouter.js";
import { type BodyMeter, drain, json, type Reply } from "./http.js";
import type { EmulatorInspector } from "./inspect.js";
import { GRAPH_PUBLIC_HOST } from "./publicNames.js";
import type { BodyFault } from "./receiveBody.js";
import type { RouteName } from "./routes.js";
import type { EmulatorState } from "./state.js";
import { handleUploadRequest, routeUpload } from "./uploadHost.js";

const BODY_ROUTES: ReadonlySet<RouteName> = new Set(["uploadFragment", "simpleUpload"]);

interface Routed {
  readonly route: RouteName;
  readonly graph?: GraphRoute;
  readonly sessionId?: string;
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function route(host: HostKind, method: string, pathname: string): Routed {
  if (host === "upload") return routeUpload(method, pathname);
  try {
    const graph = routeGraph(method, pathname);
    return { route: graph.route, graph };
  } catch {
    return { route: "unknown" };
  }
}

async function dispatch(
  state: EmulatorState,
  host: HostKind,
  req: IncomingMessage,
  url: URL,
  routed: Routed,
  meter: BodyMeter,
  handlerFault: HandlerFault | undefined,
): Promise<Reply> {
  const bodyFault = handlerFault?.type === "commitFails" ? undefined : handlerFault;
  const commitFault = handlerFault?.type === "commitFails" ? handlerFault : undefined;
  if (host === "graph") {
    const graph = routed.graph ?? routeGraph(req.method ?? "GET", url.pathname);
    return handleGraphRequest(state, { req, url, routed: graph, meter, ...(bodyFault ? { bodyFault } : {}) });
  }
  return handleUploadRequest(state, {
    req,
    route: routed.route,
    sessionId: routed.sessionId,
    tempauth: url.searchParams.get("tempauth"),
    meter,
    ...(bodyFault ? { bodyFault } : {}),
    ...(commitFault ? { commitFault } : {}),
  });
}

/** A fault the handler itself plays, inside the request (the others are played around it). */
type HandlerFault = BodyFault | CommitFault;

const COMMIT_ROUTES: ReadonlySet<RouteName> = new Set(["uploadFragment", "uploadCommit"]);

/** Plays a fault that decides the answer by itself, or hands the request on (with the body fault, if any). */
async function withFault(
  state: EmulatorState,
  fault: Fault | undefined,
  routed: Routed,
  handle: (handlerFault: HandlerFault | undefined) => Promise<Reply>,
): Promise<Reply> {
  if (!fault) return handle(undefined);
  switch (fault.type) {
    case "status":
      if (fault.html) return gatewayHtmlReply(fault.status, throttleHeaders(fault));
      throw new GraphError(
        fault.status,
        fault.code ?? defaultCodeFor(fault.status),
        fault.message ?? `Injected fault: HTTP ${fault.status}.`,
        undefined,
        throttleHeaders(fault),
      );
    case "lock":
      throw errors.locked();
    case "quotaFull":
      throw errors.quotaLimitReached();
    case "delay":
      return (await state.waits.wait(fault.ms)) ? handle(undefined) : { kind: "reset" };
    case "expireSession": {
      const session = routed.sessionId === undefined ? undefined : state.sessions.get(routed.sessionId);
      if (session) {
        session.expiresAt = state.clock.now();
        state.sessions.changed(session);
      }
      return handle(undefined);
    }
    case "storeThenFail":
      if (BODY_ROUTES.has(routed.route)) return handle(fault);
      await handle(undefined);
      throw new GraphError(500, "generalException", "An internal error occurred (the request was applied).");
    case "partialThenReset":
    case "resetMidBody":
      return BODY_ROUTES.has(routed.route) ? handle(fault) : { kind: "reset" };
    case "commitFails":
      // Only a request that commits can fail to commit; any other request is handled as usual.
      return handle(COMMIT_ROUTES.has(routed.route) ? fault : undefined);
    case "sessionAnswerLost": {
      // The work is done (a session now exists and, under oneSessionPerFile, blocks another), the answer is lost.
      await handle(undefined);
      if (fault.as === "reset") return { kind: "reset" };
      const status = fault.status ?? 504;
      throw new GraphError(status, defaultCodeFor(status), "The gateway timed out waiting for the service.");
    }
    case "slowCommit": {
      const reply = await handle(undefined);
      return (await state.waits.wait(fault.ms)) ? reply : { kind: "reset" };
    }
  }
}

function errorReply(
  err: unknown,
  host: HostKind,
  requestId: string,
  clientRequestId: string,
  now: number,
): Reply {
  const error =
    err instanceof GraphError
      ? err
      : new GraphError(
          500,
          "generalException",
          `Emulator error: ${err instanceof Error ? err.message : String(err)}`,
        );
  const body = errorBody(error, { host, requestId, clientRequestId, date: new Date(now) });
  return json(error.status, body, error.headers);
}

async function writeReply(
  res: ServerResponse,
  reply: Exclude<Reply, { kind: "reset" }>,
  base: Record<string, string>,
) {
  const headers = { ...base, ...(reply.headers ?? {}) };
  switch (reply.kind) {
    case "json": {
      const body = Buffer.from(JSON.stringify(reply.body));
      res.writeHead(reply.status, {
        ...headers,
        "content-type": "application/json",
        "content-length": body.length,
      });
      res.end(body);
      return;
    }
    case "empty":
      res.writeHead(reply.status, { ...headers, "content-length": 0 });
      res.end();
      return;
    case "bytes":
      res.writeHead(reply.status, { ...headers, "content-length": reply.length });
      for (const piece of reply.pieces) {
        if (!res.write(piece)) {
          // A client that goes away never drains: stop at "close" too.
          await new Promise((resolve) => {
            res.once("drain", resolve);
            res.once("close", resolve);
          });
          if (res.destroyed) return;
        }
      }
      res.end();
  }
}

export function requestHandler(state: EmulatorState, inspect: EmulatorInspector, host: HostKind) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // Kept now: once a body stream is destroyed, `req.socket` may be null.
    const socket = req.socket;
    const requestId = randomUUID();
    const header = req.headers["client-request-id"];
    const clientRequestId = typeof header === "string" && header !== "" ? header : requestId;
    const url = new URL(req.url ?? "/", requestBase(state, req));
    const method = req.method ?? "GET";
    const meter: BodyMeter = { requestBytes: 0 };
    const isControl = host === "graph" && url.pathname.startsWith(CONTROL_PREFIX);
    const routed: Routed = isControl ? { route: "unknown" } : route(host, method, url.pathname);
    const at = state.clock.now();
    const arrived = performance.now();
    let reply: Reply;
    try {
      if (isControl) {
        reply = await handleControl(state, inspect, req, url, meter);
      } else {
        const fault = state.faults.take({
          route: routed.route,
          method,
          path: url.pathname,
          decodedPath: safeDecode(url.pathname),
        });
        if (fault) {
          state.log.count("faultsFired");
          state.log.count(`fault.${fault.type}`);
        }
        reply = await withFault(state, fault, routed, (bodyFault) =>
          dispatch(state, host, req, url, routed, meter, bodyFault),
        );
      }
    } catch (err: unknown) {
      reply = socket.destroyed
        ? { kind: "reset" }
        : errorReply(err, host, requestId, clientRequestId, state.clock.now());
    }
    try {
      // Durable mode: what this request changed is on disk before the client hears it happened.
      await state.durability?.flush();
    } catch (err: unknown) {
      reply = socket.destroyed
        ? { kind: "reset" }
        : errorReply(err, host, requestId, clientRequestId, state.clock.now());
    }
    let status = 0;
    if (reply.kind !== "reset") {
      try {
        // Answer only once the body is read, so the client sees the answer, not a broken pipe.
        await drain(req, meter);
      } catch {
        reply = { kind: "reset" };
      }
    }
    // The modelled round trip (docs/emulator.md "Latency"): the answer reaches the client no sooner than one
    // round trip after the request's last byte left it, so a 10 MiB fragment pays it as a 1-byte request does.
    // The control API is not Graph: no wait.
    // A reset pays it too: the client learns of it no sooner than an answer would have come.
    if (!isControl && !(await roundTrip(state, meter.lastByteAt ?? arrived))) reply = { kind: "reset" };
    if (reply.kind === "reset") {
      socket.destroy();
    } else {
      try {
        status = reply.status;
        await writeReply(res, reply, { "request-id": requestId, "client-request-id": clientRequestId });
      } catch {
        status = 0;
        socket.destroy();
      }
    }
    if (isControl) return;
    state.log.record({
      at,
      method,
      host,
      route: routed.route,
      path: url.pathname,
      status,
      hadAuthorization: req.headers.authorization !== undefined,
      requestBytes: meter.requestBytes,
      requestId,
    });
  };
}

/**
 * Waits out what is left of `latencyMs` since `from` (the request's last byte, or its arrival when it had no
 * body); false when the emulator closed meanwhile.
 */
async function roundTrip(state: EmulatorState, from: number): Promise<boolean> {
  const left = state.latencyMs - (performance.now() - from);
  return left > 0 ? state.waits.wait(Math.ceil(left)) : true;
}

/**
 * The base a request's path is resolved against: Graph's own name when the request came through the CONNECT
 * proxy (Host: graph.microsoft.com), so handlers can hand back links and upload URLs the client can reach.
 */
function requestBase(state: EmulatorState, req: IncomingMessage): string {
  const host = req.headers.host?.toLowerCase();
  const proxied = state.publicNames && (host === GRAPH_PUBLIC_HOST || host === `${GRAPH_PUBLIC_HOST}:443`);
  return proxied ? `https://${GRAPH_PUBLIC_HOST}` : "http://emulator.invalid";
}

export async function listen(server: Server, host: string, port: number): Promise<number> {
  server.listen(port, host);
  await once(server, "listening");
  return (server.address() as AddressInfo).port;
}

/** A certificate and key for an HTTPS listener (tls/localCa.ts). */
export interface ListenerTls {
  readonly certPem: string;
  readonly keyPem: string;
}

export function createListener(handler: ReturnType<typeof requestHandler>, tls?: ListenerTls): Server {
  // The handler answers every error itself; this only guards against a bug taking the process down.
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    handler(req, res).catch(() => res.destroy());
  };
  if (tls) return createTlsServer({ keepAliveTimeout: 5_000, cert: tls.certPem, key: tls.keyPem }, onRequest);
  return createServer({ keepAliveTimeout: 5_000 }, onRequest);
}

export async function closeListener(server: Server): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
}
