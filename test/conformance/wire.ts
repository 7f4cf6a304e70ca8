/**
 * Plain HTTP for protocol tests: the facts are raw status codes and body fields, so requests go out as the
 * service sees them, through this one helper, which also counts them. Rules kept from src/graph/http.ts: the
 * bearer token goes only to the Graph origin, never to an upload URL (they are pre-authorised: docs/graph-protocol.md
 * "Upload sessions"); error messages name the request by label, never by URL (upload URLs are credentials).
 */
import type { TokenProvider } from "../../src/core/ports/common.js";
import { USER_AGENT } from "../../src/graph/http.js";

export interface WireAnswer {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON, or undefined for an empty or non-JSON body. */
  readonly body: unknown;
}

export interface WireInit {
  readonly json?: unknown;
  readonly bytes?: Uint8Array;
  readonly headers?: Readonly<Record<string, string>>;
}

type Method = "GET" | "PUT" | "POST" | "PATCH" | "DELETE";

const TIMEOUT_MS = 120_000;

export class Wire {
  /** Requests this wire has sent (Graph and upload hosts). */
  requests = 0;
  private readonly graphOrigin: string;

  constructor(private readonly access: { readonly graphBaseUrl: string; readonly tokens: TokenProvider }) {
    this.graphOrigin = new URL(access.graphBaseUrl).origin;
  }

  /** A request to the Graph host, with the bearer token. */
  async graph(method: Method, url: string, label: string, init: WireInit = {}): Promise<WireAnswer> {
    if (new URL(url).origin !== this.graphOrigin) {
      throw new Error(`${label}: refusing to send the Graph token outside the Graph host`);
    }
    const token = await this.access.tokens.getToken();
    return this.send(method, url, label, init, { authorization: `Bearer ${token}` });
  }

  /** A request to an upload URL: never an Authorization header. */
  upload(method: Method, uploadUrl: string, label: string, init: WireInit = {}): Promise<WireAnswer> {
    return this.send(method, uploadUrl, label, init, {});
  }

  /** True when `url` is not on the Graph host's origin (upload URLs usually are not: docs/graph-protocol.md). */
  isOtherOrigin(url: string): boolean {
    return new URL(url).origin !== this.graphOrigin;
  }

  private async send(
    method: Method,
    url: string,
    label: string,
    init: WireInit,
    auth: Record<string, string>,
  ): Promise<WireAnswer> {
    const headers: Record<string, string> = { "user-agent": USER_AGENT, ...auth, ...init.headers };
    let body: string | Uint8Array | undefined;
    if (init.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(init.json);
    } else if (init.bytes !== undefined) {
      body = init.bytes;
    }
    this.requests++;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        ...(body !== undefined ? { body } : {}),
        redirect: "manual",
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err: unknown) {
      // undici's messages do not carry the URL; say which request failed, never where it went.
      const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
      throw new Error(`${method} ${label}: no answer (${cause})`);
    }
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: parseJson(text) };
  }
}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
