/**
 * One request to one HTTP function, the two ways the Functions host passes it on (httpTriggers.ts serves and
 * routes the requests): forwarded to the worker's own HTTP proxy under HTTP streaming, else buffered and passed
 * in the invocation as bytes.
 */
import http from "node:http";
import type { ProgrammingModel, RpcTypedData } from "./coreTypes.js";
import { type HostLog, type InvocationOutput, invoke } from "./invoke.js";
import type { OutputWriter } from "./outputBindings.js";
import type { RouteMatch } from "./routes.js";
import type { Registration } from "./virtualCore.js";

export interface HttpFunction {
  readonly registration: Registration;
  readonly methods: readonly string[] | undefined;
  readonly match: (path: string) => RouteMatch | undefined;
  readonly route: string;
}

const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "te", "trailer"]);

/** One request to one HTTP function, with what the host lends the invocation. */
export interface HttpCall {
  readonly invocationId: string;
  readonly model: ProgrammingModel;
  readonly fn: HttpFunction;
  readonly params: Record<string, string>;
  readonly req: http.IncomingMessage;
  readonly res: http.ServerResponse;
  readonly log: HostLog;
  readonly writeOutputs: OutputWriter;
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

/**
 * HTTP streaming: the worker's own server answers the request, so the response may be on its way before the
 * invocation has returned; its output bindings are written once it has (and only if it succeeded).
 */
export async function forwardToProxy(
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

export async function invokeBuffered({
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
