/**
 * One HTTP exchange for the Graph client (./http.ts) and the identity calls (src/auth/http.ts), on Node's own
 * `http`/`https` modules with keep-alive agents rather than the global `fetch`. Measured (docs/upload.md
 * "Memory"): 300 PUTs of 200 KiB, 16 at a time over local TLS, peaked at 59 MiB of RSS and took 0.3 s on
 * `https.request`, 105-122 MiB and 0.8-1.1 s on `fetch` (undici's WebAssembly parser, WHATWG streams and
 * per-request objects); a CLI that only speaks to Graph never loads undici at all. What fetch did for us is done
 * here on purpose:
 * - the byte body goes out in {@link BODY_SLICE} views over the caller's buffer, each written when the socket
 *   drained the one before, so over TLS a 40 MiB fragment is never encrypted as one 40 MiB piece (peak RSS of a
 *   256 MiB upload at 40 MiB chunks: 283 MiB as one piece, 167 MiB in 1 MiB views);
 * - Content-Length is always set, so a body never goes out chunked (SharePoint rejects chunked fragments,
 *   docs/graph-protocol.md), and no Accept-Encoding is sent, so answers come uncompressed;
 * - redirects are not followed (Graph's upload and item calls never redirect; a redirect is an answer);
 * - the caller's signal (deadline included) aborts the exchange wherever it is: connecting, sending, or reading;
 * - at most `maxResponseBytes` of the answer is read (docs/design.md invariant 4); past it the socket is closed.
 * Idle keep-alive sockets do not keep the process alive and are closed after {@link IDLE_SOCKET_MS}, or sooner
 * when the server announces a shorter keep-alive timeout (Node honours the `Keep-Alive: timeout=N` hint).
 */
import type { ClientRequest, IncomingMessage } from "node:http";
import { http, https } from "../nodeHttp.js";

export const BODY_SLICE = 1024 * 1024;

/**
 * An idle socket is closed after this long (a request in progress is never cut by it: the agent destroys only
 * free sockets on timeout). Graph's front ends announce no keep-alive timeout, and a socket idle for minutes
 * (a Retry-After, a backoff, a busy session's wait) may have been dropped by a NAT or load balancer on the way,
 * so that the next request on it hangs or is reset; Node's own global agent and undici use 4-5 s likewise.
 */
const IDLE_SOCKET_MS = 5_000;

const AGENTS = {
  "http:": new http.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS }),
  "https:": new https.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS }),
} as const;

export interface ExchangeRequest {
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Uint8Array | string;
  readonly signal: AbortSignal;
  readonly maxResponseBytes: number;
  /** Extra trusted CA certificates (PEM) for this call (https only); the agent keeps such sockets apart. */
  readonly ca?: string | Buffer;
}

/**
 * The answer's headers by case-insensitive name (repeated ones joined with ", "). Not the global `Headers`:
 * that class is undici's, and touching it loads undici (~12 MiB of RSS) into a process that never needs it.
 */
export interface AnswerHeaders {
  get(name: string): string | null;
}

export interface ExchangeAnswer {
  readonly status: number;
  readonly headers: AnswerHeaders;
  /** The body as text; undefined when it was longer than `maxResponseBytes` (the rest was not read). */
  readonly text: string | undefined;
}

/** Sends one request and reads its answer; rejects with the socket's error, or the signal's reason on abort. */
export function exchange(url: string, request: ExchangeRequest): Promise<ExchangeAnswer> {
  const target = new URL(url);
  const protocol = target.protocol === "https:" || target.protocol === "http:" ? target.protocol : undefined;
  if (!protocol) return Promise.reject(new TypeError(`unsupported protocol ${target.protocol}`));
  const body = typeof request.body === "string" ? Buffer.from(request.body, "utf8") : request.body;
  const headers: Record<string, string> = { ...request.headers };
  if (!hasHeader(headers, "content-length") && (body !== undefined || sendsBody(request.method))) {
    headers["Content-Length"] = String(body?.byteLength ?? 0);
  }
  return new Promise<ExchangeAnswer>((resolve, reject) => {
    const req = (protocol === "https:" ? https : http).request(target, {
      method: request.method,
      headers,
      agent: AGENTS[protocol],
      signal: request.signal,
      ...(request.ca && protocol === "https:" ? { ca: request.ca } : {}),
    });
    req.on("error", reject);
    req.on("response", (res) => {
      readAnswer(res, request.maxResponseBytes)
        .then(resolve, reject)
        // Answered before the body was all sent (a 401, 404, 413 or 416 on a fragment): nothing more will drain,
        // so the request would hold its socket and the caller's buffer until the deadline. The socket cannot be
        // reused after a cut-short body anyway.
        .finally(() => {
          if (!req.writableFinished) req.destroy();
        });
    });
    writeBody(req, body).catch((err: unknown) => req.destroy(err instanceof Error ? err : undefined));
  });
}

/** Writes the body a slice at a time, each once the socket took the one before; stops if the request died. */
async function writeBody(req: ClientRequest, body: Uint8Array | undefined): Promise<void> {
  const length = body?.byteLength ?? 0;
  for (let at = 0; body && at < length && !req.destroyed; at += BODY_SLICE) {
    if (!req.write(body.subarray(at, Math.min(length, at + BODY_SLICE)))) await drained(req);
  }
  if (!req.destroyed) req.end();
}

function drained(req: ClientRequest): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      req.off("drain", done);
      req.off("close", done);
      resolve();
    };
    req.on("drain", done);
    req.on("close", done);
  });
}

function readAnswer(res: IncomingMessage, limit: number): Promise<ExchangeAnswer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    const answer = (text: string | undefined) => {
      settled = true;
      resolve({ status: res.statusCode ?? 0, headers: headersOf(res), text });
    };
    res.on("data", (chunk: Buffer) => {
      if (settled) return;
      total += chunk.length;
      if (total > limit) {
        answer(undefined);
        res.destroy();
        return;
      }
      chunks.push(chunk);
    });
    res.on("end", () => {
      if (!settled) answer(Buffer.concat(chunks).toString("utf8"));
    });
    res.on("error", (err) => {
      if (!settled) reject(err);
    });
    // Closed before its end (the connection cut mid-answer, or the signal aborted the exchange).
    res.on("close", () => {
      if (!settled)
        reject(
          Object.assign(new Error("the connection closed before the answer ended"), { code: "ECONNRESET" }),
        );
    });
  });
}

function headersOf(res: IncomingMessage): AnswerHeaders {
  // Node lower-cases incoming header names and joins most repeated ones already; arrays remain for a few.
  const all = res.headers;
  return {
    get(name) {
      const value = all[name.toLowerCase()];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(", ") : value;
    },
  };
}

function hasHeader(headers: Readonly<Record<string, string>>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}

/** Methods whose request has a body, even an empty one: an empty POST says `Content-Length: 0`, as fetch did. */
function sendsBody(method: string): boolean {
  return method === "POST" || method === "PUT" || method === "PATCH";
}
