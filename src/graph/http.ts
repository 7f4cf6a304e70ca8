/**
 * The one place Graph traffic leaves the process. Rules (docs/graph-protocol.md, docs/design.md):
 * - a deadline on every request (AbortSignal.timeout combined with the caller's signal);
 * - the bearer token only to the Graph host's origin, never to upload URLs (they are pre-authorised and
 *   clients have broken on sending Authorization there), and one forced token refresh after a Graph 401;
 * - `User-Agent: NONISV|graph-mirror|graph-mirror/<version>` (Microsoft's traffic-decoration guidance);
 * - failures become GraphFailure with status, Graph codes (inner-most first), request-id and throttling
 *   headers, and a message that never holds a URL, query string or token.
 */

import type { TokenProvider } from "../core/ports/common.js";
import { GraphFailure } from "../core/ports/graphFailure.js";
import { redactSecrets } from "../core/shared/redact.js";
import { withGraphSpan } from "../telemetry/graphSpan.js";
import { VERSION } from "../version.js";
import { parseGraphErrorBody } from "./errorBody.js";
import { type AnswerHeaders, exchange } from "./transport.js";

export { BODY_SLICE } from "./transport.js";

export const USER_AGENT = `NONISV|graph-mirror|graph-mirror/${VERSION}`;

export interface GraphHttpOptions {
  /** e.g. `https://graph.microsoft.com/v1.0`. */
  readonly baseUrl: string;
  readonly tokens: TokenProvider;
  /** Deadline for each request, body included. */
  readonly requestTimeoutMs: number;
}

export interface GraphRequest {
  readonly method: "GET" | "PUT" | "POST" | "DELETE";
  readonly url: string;
  /** Secret-free name of the call for messages, e.g. `uploadFragment`. */
  readonly route: string;
  /** `graph` requests carry the bearer token; `upload` requests (upload URLs) never do. */
  readonly host: "graph" | "upload";
  readonly body?: Uint8Array | string;
  readonly headers?: Readonly<Record<string, string>>;
  /** This request's deadline when it differs from the default (the final fragment waits for the commit). */
  readonly timeoutMs?: number;
}

export interface GraphResponse {
  readonly status: number;
  readonly headers: AnswerHeaders;
  /** The parsed JSON body, or undefined for empty and non-JSON bodies. */
  readonly json: unknown;
}

/** A response read to the end under the request's deadline. */
interface BufferedAnswer {
  readonly status: number;
  readonly headers: AnswerHeaders;
  readonly text: string;
}

export class GraphHttp {
  readonly baseUrl: string;
  private readonly graphOrigin: string;

  constructor(private readonly options: GraphHttpOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.graphOrigin = new URL(this.baseUrl).origin;
  }

  /** True when a URL is on the Graph host (the only origin that may receive the token). */
  isGraphUrl(url: string): boolean {
    try {
      return new URL(url).origin === this.graphOrigin;
    } catch {
      return false;
    }
  }

  async send(request: GraphRequest, signal?: AbortSignal): Promise<GraphResponse> {
    const first = await this.tracedAttempt(request, false, signal);
    if (first.status !== 401 || request.host !== "graph") return this.finish(request, first);
    // A 401 from Graph: the cached token may have been revoked or expired early. Refresh once, retry once.
    return this.finish(request, await this.tracedAttempt(request, true, signal));
  }

  /** Each HTTP exchange is one dependency span, named after the route: the URL never leaves (graphSpan.ts). */
  private tracedAttempt(
    request: GraphRequest,
    forceRefresh: boolean,
    signal?: AbortSignal,
  ): Promise<BufferedAnswer> {
    return withGraphSpan(
      { route: request.route, method: request.method, target: request.host, host: hostOf(request.url) },
      () => this.attempt(request, forceRefresh, signal),
    );
  }

  private async attempt(
    request: GraphRequest,
    forceRefresh: boolean,
    signal?: AbortSignal,
  ): Promise<BufferedAnswer> {
    const headers: Record<string, string> = { "User-Agent": USER_AGENT, ...request.headers };
    // An exact Content-Length on every byte body: a fragment must never go out chunked (transport.ts).
    if (request.body instanceof Uint8Array) headers["Content-Length"] = String(request.body.byteLength);
    if (request.host === "graph") {
      if (!this.isGraphUrl(request.url)) {
        throw new Error(`${request.route}: refusing to send the Graph token to a host other than Graph`);
      }
      const token = await this.options.tokens.getToken({
        ...(forceRefresh ? { forceRefresh: true } : {}),
        ...(signal ? { signal } : {}),
      });
      headers.Authorization = `Bearer ${token}`;
    }
    const timeoutMs = request.timeoutMs ?? this.options.requestTimeoutMs;
    const deadline = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
    try {
      // Read whole under the same deadline, so a stalled body counts as a timeout, not a hang.
      const answer = await exchange(request.url, {
        method: request.method,
        headers,
        ...(request.body !== undefined ? { body: request.body } : {}),
        signal: combined,
        maxResponseBytes: MAX_RESPONSE_BYTES,
      });
      if (answer.text === undefined) {
        throw new GraphFailure({
          kind: "network",
          message: `${request.method} ${request.route}: the response body exceeded ${MAX_RESPONSE_BYTES} bytes`,
        });
      }
      return { status: answer.status, headers: answer.headers, text: answer.text };
    } catch (err: unknown) {
      if (err instanceof GraphFailure) throw err;
      if (signal?.aborted) throw signal.reason ?? err;
      if (deadline.aborted) {
        throw new GraphFailure({
          kind: "timeout",
          message: `${request.method} ${request.route}: no answer within ${timeoutMs} ms`,
        });
      }
      const unreachable = isConnectFailure(err);
      throw new GraphFailure({
        kind: "network",
        message: `${request.method} ${request.route}: ${unreachable ? `cannot connect to ${new URL(request.url).host}: ` : ""}${describeNetworkError(err)}`,
        ...(unreachable ? { unreachableHost: new URL(request.url).host } : {}),
      });
    }
  }

  private finish(request: GraphRequest, response: BufferedAnswer): GraphResponse {
    const text = response.text;
    if (response.status >= 200 && response.status < 300) {
      return { status: response.status, headers: response.headers, json: parseJson(text) };
    }
    const parsed = parseGraphErrorBody(text);
    const requestId =
      response.headers.get("request-id") ?? response.headers.get("client-request-id") ?? parsed.requestId;
    const detail = parsed.codes.length > 0 ? ` ${parsed.codes.join("/")}` : "";
    const graphMessage = parsed.message ? `: ${parsed.message}` : "";
    const retryAfter = response.headers.get("retry-after");
    const rateLimitReset = response.headers.get("ratelimit-reset");
    throw new GraphFailure({
      kind: "http",
      status: response.status,
      codes: parsed.codes,
      message: redactSecrets(
        `${request.method} ${request.route}: HTTP ${response.status}${detail}${graphMessage}`,
      ),
      ...(requestId ? { requestId } : {}),
      ...(retryAfter !== null ? { retryAfter } : {}),
      ...(rateLimitReset !== null ? { rateLimitReset } : {}),
    });
  }
}

/**
 * Graph answers uploads and metadata calls with JSON of a few KiB (a driveItem, a page of drives, an error). A
 * body beyond this limit is not such an answer (a proxy's error page, a misrouted download) and is not read
 * into memory: memory stays bounded by chunk size whatever the server sends (docs/design.md invariant 4).
 */
export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return "invalid";
  }
}

/** Nothing listens there, or the name does not resolve: retrying for minutes will not change that. */
const CONNECT_FAILURES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

function isConnectFailure(err: unknown): boolean {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  if (!(cause instanceof Error)) return false;
  const code = "code" in cause && typeof cause.code === "string" ? cause.code : "";
  // A host with several addresses reports an AggregateError whose parts carry the codes.
  const parts = cause instanceof AggregateError ? cause.errors : [];
  return (
    CONNECT_FAILURES.has(code) ||
    parts.some((e: unknown) => e instanceof Error && "code" in e && CONNECT_FAILURES.has(String(e.code)))
  );
}

/** A socket error's code and message (or its `cause`'s, when wrapped). */
function describeNetworkError(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  if (cause instanceof Error) {
    const code = "code" in cause && typeof cause.code === "string" ? `${cause.code} ` : "";
    return redactSecrets(`${code}${cause.message}`);
  }
  return "network error";
}
