/**
 * Serves the app's HTTP triggers at /<routePrefix>/<route>, like the Functions host.
 *
 * With HTTP streaming on (`app.setup({ enableHttpStream: true })`), the host forwards each request to the
 * worker's own HTTP proxy (its URI is the `HttpUri` capability the programming model reports) with the header
 * `x-ms-invocation-id`, and the library answers through that proxy: the body streams both ways and is never
 * buffered. Without streaming, the body is passed in the invocation as bytes, as the host's RPC does.
 * Function keys are not checked locally, as with Core Tools' `func start`. A client-supplied
 * `x-ms-client-principal` is removed, as the platform's built-in authentication does, unless LOCAL_DEV_PRINCIPAL
 * makes the host set it itself (platformPrincipal.ts). Queue output bindings of a
 * successful invocation are written through the host's `writeOutputs` (and wake that queue's listener).
 *
 * `POST /admin/functions/{name}` runs a non-HTTP function once, as the Functions host's admin API does
 * (Microsoft docs, "Manually run a non HTTP-triggered function"): 202 Accepted, the run goes on in the
 * background. `graph-mirror start` uses it to run the mirror timer once at start, locally only.
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { redactSecrets } from "../core/shared/redact.js";
import type { ProgrammingModel, RpcTypedData } from "./coreTypes.js";
import { type HostLog, type InvocationOutput, invoke, triggerBinding } from "./invoke.js";
import type { OutputWriter } from "./outputBindings.js";
import { applyPlatformPrincipal } from "./platformPrincipal.js";
import { compileRoute, type RouteMatch } from "./routes.js";
import type { Registration } from "./virtualCore.js";

interface HttpFunction {
  readonly registration: Registration;
  readonly methods: readonly string[] | undefined;
  readonly match: (path: string) => RouteMatch | undefined;
  readonly route: string;
}

export interface HttpTriggerServer {
  readonly port: number;
  readonly routes: readonly {
    name: string;
    methods: readonly string[] | undefined;
    url: string;
    authLevel: string;
  }[];
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "te", "trailer"]);

export async function serveHttpTriggers(options: {
  readonly registrations: readonly Registration[];
  readonly model: ProgrammingModel;
  /** The worker's proxy URI when HTTP streaming is on. */
  readonly streamProxyUri: string | undefined;
  readonly routePrefix: string;
  readonly port: number;
  readonly host: string;
  readonly log: HostLog;
  /** Starts one run of a non-HTTP function; answers the HTTP status (202 started, 404 unknown, 400 unsupported). */
  readonly runFunction?: (name: string) => number;
  /** Writes a successful invocation's queue output bindings, as the host does before it is done with it. */
  readonly writeOutputs?: OutputWriter;
  /** The x-ms-client-principal value to pass on every request (LOCAL_DEV_PRINCIPAL); else none passes. */
  readonly devPrincipalHeader?: string;
}): Promise<HttpTriggerServer> {
  const prefix = options.routePrefix ? `/${options.routePrefix}` : "";
  const functions: HttpFunction[] = options.registrations.flatMap((registration) => {
    const [, trigger] = triggerBinding(registration);
    if (trigger.type.toLowerCase() !== "httptrigger") return [];
    const route = typeof trigger.route === "string" ? trigger.route : registration.metadata.name;
    const methods = Array.isArray(trigger.methods)
      ? trigger.methods.map((m) => String(m).toUpperCase())
      : undefined;
    return [{ registration, methods, match: compileRoute(route), route }];
  });

  const server = http.createServer((req, res) => {
    const started = performance.now();
    // Before anything reads the headers: both the buffered and the streamed path forward req.headers.
    applyPlatformPrincipal(req.headers, options.devPrincipalHeader);
    const url = new URL(req.url ?? "/", "http://localhost");
    const method = (req.method ?? "GET").toUpperCase();
    res.on("finish", () =>
      options.log(
        "information",
        `${method} ${url.pathname} -> ${res.statusCode} (${Math.round(performance.now() - started)} ms)`,
      ),
    );
    const admin = /^\/admin\/functions\/([^/]+)\/?$/i.exec(url.pathname);
    if (admin && method === "POST" && options.runFunction) {
      req.resume();
      res.writeHead(options.runFunction(decodeURIComponent(admin[1] ?? ""))).end();
      return;
    }
    const found = findFunction(functions, prefix, url.pathname, method);
    if (!found) {
      req.resume();
      res.writeHead(404).end();
      return;
    }
    // One id per invocation, in the host's log lines and (streaming) the worker's proxy header alike.
    const invocationId = randomUUID();
    // A client that vanishes mid-body or mid-answer must fail only its own invocation: an 'error' event with
    // no listener would be thrown out of the event loop and take the whole host down.
    req.on("error", () => undefined);
    res.on("error", () => undefined);
    const call: HttpCall = {
      invocationId,
      model: options.model,
      fn: found.fn,
      params: found.params,
      req,
      res,
      log: options.log,
      writeOutputs: outputsLogged(options.writeOutputs ?? (async () => 0), options.log),
    };
    const handle = options.streamProxyUri
      ? forwardToProxy(options.streamProxyUri, call)
      : invokeBuffered(call);
    handle.catch((err: unknown) => {
      options.log(
        "error",
        `${found.fn.registration.metadata.name} (invocation ${invocationId}) failed: ${redactSecrets(err instanceof Error ? err.message : String(err))}`,
      );
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    routes: functions.map((f) => ({
      name: f.registration.metadata.name,
      methods: f.methods,
      url: `http://${options.host}:${port}${prefix}/${f.route}`,
      authLevel: String(triggerBinding(f.registration)[1].authLevel ?? "function"),
    })),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function findFunction(
  functions: readonly HttpFunction[],
  prefix: string,
  pathname: string,
  method: string,
): { fn: HttpFunction; params: Record<string, string> } | undefined {
  if (prefix && !(pathname.toLowerCase() === prefix || pathname.toLowerCase().startsWith(`${prefix}/`)))
    return undefined;
  const rest = pathname.slice(prefix.length);
  for (const fn of functions) {
    if (fn.methods && !fn.methods.includes(method)) continue;
    const match = fn.match(rest);
    if (match) return { fn, params: match.params };
  }
  return undefined;
}

function requestHeaders(req: http.IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

function paramsMetadata(params: Record<string, string>): Record<string, RpcTypedData> {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, { string: v }]));
}

/** One request to one HTTP function, with what the host lends the invocation. */
interface HttpCall {
  readonly invocationId: string;
  readonly model: ProgrammingModel;
  readonly fn: HttpFunction;
  readonly params: Record<string, string>;
  readonly req: http.IncomingMessage;
  readonly res: http.ServerResponse;
  readonly log: HostLog;
  readonly writeOutputs: OutputWriter;
}

/** HTTP functions write queue messages rarely (a new upload's first wakes), so each write gets a log line. */
function outputsLogged(write: OutputWriter, log: HostLog): OutputWriter {
  return async (registration, output) => {
    const written = await write(registration, output);
    if (written > 0)
      log(
        "information",
        `${registration.metadata.name}: ${written} queue message(s) written by its output binding`,
      );
    return written;
  };
}

/**
 * HTTP streaming: the worker's own server answers the request, so the response may be on its way before the
 * invocation has returned; its output bindings are written once it has (and only if it succeeded).
 */
async function forwardToProxy(
  proxyUri: string,
  { invocationId, model, fn, params, req, res, log, writeOutputs }: HttpCall,
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const headers = requestHeaders(req);
  const invocation = invoke(
    model,
    fn.registration,
    {
      invocationId,
      triggerData: { http: {} },
      triggerMetadata: {
        Headers: { json: JSON.stringify(headers) },
        Query: { json: JSON.stringify(Object.fromEntries(url.searchParams)) },
        ...paramsMetadata(params),
      },
    },
    log,
  );
  const proxied = http.request(new URL(req.url ?? "/", proxyUri), {
    method: req.method,
    headers: {
      ...req.headers,
      "x-ms-invocation-id": invocationId,
      "x-forwarded-host": req.headers.host ?? "localhost",
      "x-forwarded-proto": "http",
    },
  });
  const answered = new Promise<void>((resolve, reject) => {
    proxied.on("response", (response) => {
      const outgoing: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(response.headers))
        if (value !== undefined && !HOP_BY_HOP.has(name) && name !== "x-ms-invocation-id")
          outgoing[name] = value;
      res.writeHead(response.statusCode ?? 500, outgoing);
      response.pipe(res);
      response.on("end", resolve);
      response.on("error", reject);
    });
    proxied.on("error", reject);
  });
  // When the invocation fails first, destroying `proxied` rejects `answered` ("socket hang up") while nobody
  // awaits it any more; that unhandled rejection used to end the host (issue 15). The invocation's own error
  // is the one reported.
  answered.catch(() => undefined);
  req.pipe(proxied);
  let output: InvocationOutput;
  try {
    output = await invocation;
  } catch (err: unknown) {
    proxied.destroy();
    throw err;
  }
  await writeOutputs(fn.registration, output);
  await answered;
}

/** The Functions host's default request body limit (host limit 100 MB) for handlers without HTTP streaming. */
const MAX_BUFFERED_BODY_BYTES = 100 * 1024 * 1024;

async function invokeBuffered({
  invocationId,
  model,
  fn,
  params,
  req,
  res,
  log,
  writeOutputs,
}: HttpCall): Promise<void> {
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of req) {
    received += (chunk as Buffer).length;
    if (received > MAX_BUFFERED_BODY_BYTES) {
      // As the Functions host does for non-streamed bodies (its request length limit is 100 MB).
      res.writeHead(413, { "content-type": "text/plain" }).end("request body too large (limit 100 MB)\n");
      req.destroy();
      return;
    }
    chunks.push(chunk as Buffer);
  }
  const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "localhost"}`);
  const output = await invoke(
    model,
    fn.registration,
    {
      invocationId,
      triggerData: {
        http: {
          method: req.method ?? "GET",
          url: url.href,
          headers: requestHeaders(req),
          query: Object.fromEntries(url.searchParams),
          params,
          body: { bytes: Buffer.concat(chunks) },
        },
      },
      triggerMetadata: paramsMetadata(params),
    },
    log,
  );
  // Before the response, as the host does: a failed output write fails the invocation (500).
  await writeOutputs(fn.registration, output);
  const response = output.returnValue?.http;
  if (!response) {
    res.writeHead(204).end();
    return;
  }
  const body =
    response.body?.bytes ?? (response.body?.string ? Buffer.from(response.body.string) : undefined);
  res.writeHead(Number(response.statusCode ?? 200), response.headers ?? {});
  res.end(body ? Buffer.from(body) : undefined);
}
