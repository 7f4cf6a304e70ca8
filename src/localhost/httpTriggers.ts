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
 *
 * This file serves and routes; httpInvocation.ts passes one request to its function, streamed or buffered.
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { redactSecrets } from "../core/shared/redact.js";
import type { ProgrammingModel } from "./coreTypes.js";
import { forwardToProxy, type HttpCall, type HttpFunction, invokeBuffered } from "./httpInvocation.js";
import { type HostLog, triggerBinding } from "./invoke.js";
import type { OutputWriter } from "./outputBindings.js";
import { applyPlatformPrincipal } from "./platformPrincipal.js";
import { compileRoute } from "./routes.js";
import type { Registration } from "./virtualCore.js";

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

/** What the host lends the HTTP triggers: the app, where to listen, and how to run and answer functions. */
export interface HttpTriggerOptions {
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
}

export async function serveHttpTriggers(options: HttpTriggerOptions): Promise<HttpTriggerServer> {
  const prefix = options.routePrefix ? `/${options.routePrefix}` : "";
  const functions = httpFunctions(options.registrations);
  const server = http.createServer(requestHandler(options, functions, prefix));
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

/** The app's HTTP-triggered functions, with their routes compiled and their methods upper-cased. */
function httpFunctions(registrations: readonly Registration[]): HttpFunction[] {
  return registrations.flatMap((registration) => {
    const [, trigger] = triggerBinding(registration);
    if (trigger.type.toLowerCase() !== "httptrigger") return [];
    const route = typeof trigger.route === "string" ? trigger.route : registration.metadata.name;
    const methods = Array.isArray(trigger.methods)
      ? trigger.methods.map((m) => String(m).toUpperCase())
      : undefined;
    return [{ registration, methods, match: compileRoute(route), route }];
  });
}

/** Each request: the admin API, a 404, or one invocation of the function its route and method select. */
function requestHandler(
  options: HttpTriggerOptions,
  functions: readonly HttpFunction[],
  prefix: string,
): http.RequestListener {
  const writeOutputs = outputsLogged(options.writeOutputs ?? (async () => 0), options.log);
  return (req, res) => {
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
      ...found,
      model: options.model,
      req,
      res,
      log: options.log,
      writeOutputs,
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
