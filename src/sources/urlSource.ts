/**
 * A ByteSource over an https URL: reads one chunk at a time with Range requests, and identifies the version by
 * the ETag (else Last-Modified) plus the total size from Content-Range (RFC 9110 §14).
 *
 * Every connection goes through {@link guardedLookup}: the address the socket connects to is the one that was
 * checked, so neither a private address nor DNS rebinding can turn a request into a read of the metadata
 * endpoint. Redirects are not followed (a redirect could point anywhere; the user can give the final URL).
 */
import https from "node:https";
import { isIP } from "node:net";
import type { ByteSource, SourceFingerprint } from "../core/ports/common.js";
import { SourceChangedError } from "../core/ports/common.js";
import { guardedLookup, type NetworkPolicy, resolveAllowed } from "./networkGuard.js";

export interface UrlSourceOptions {
  readonly policy: NetworkPolicy;
  /** Deadline of each request (headers and body), in ms. */
  readonly timeoutMs?: number;
  /** Extra trusted CA certificates (PEM), for servers behind a private CA. */
  readonly ca?: string;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const UNVERSIONED = "unversioned";

export class UrlSourceError extends Error {
  constructor(
    readonly description: string,
    message: string,
    readonly httpStatus?: number,
  ) {
    super(`${description}: ${message}`);
    this.name = "UrlSourceError";
  }
}

/** The URL without query and fragment: a query may carry a SAS token or other credential. */
export function describeUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

export class UrlSource implements ByteSource {
  readonly description: string;
  private readonly url: URL;
  private readonly agent: https.Agent;

  constructor(
    url: string,
    private readonly options: UrlSourceOptions,
  ) {
    this.url = new URL(url);
    this.description = describeUrl(this.url);
    if (this.url.protocol !== "https:")
      throw new UrlSourceError(this.description, "only https URLs are allowed");
    // No keep-alive: a queue invocation reads one chunk and ends; idle sockets would only hold the process open.
    this.agent = new https.Agent({ keepAlive: false, ...(options.ca ? { ca: options.ca } : {}) });
  }

  async fingerprint(signal?: AbortSignal): Promise<SourceFingerprint> {
    // A one-byte range both proves Range support (206) and reports the total size in Content-Range.
    const response = await this.get("bytes=0-0", 1, signal);
    if (response.version === UNVERSIONED)
      throw new UrlSourceError(
        this.description,
        "the server sends neither ETag nor Last-Modified, so a change during the upload could not be noticed",
      );
    if (response.status === 416 && response.total === 0) return { size: 0, version: response.version };
    if (response.status !== 206 || response.total === undefined)
      throw new UrlSourceError(
        this.description,
        `the server must answer Range requests with 206 and Content-Range (got ${response.status})`,
        response.status,
      );
    return { size: response.total, version: response.version };
  }

  async read(
    offset: number,
    length: number,
    expected: SourceFingerprint,
    signal?: AbortSignal,
  ): Promise<Uint8Array> {
    if (length === 0) return new Uint8Array(0);
    const response = await this.get(`bytes=${offset}-${offset + length - 1}`, length, signal);
    const actual =
      response.total === undefined ? undefined : { size: response.total, version: response.version };
    if (response.status === 412 || response.status === 416 || !actual || !sameVersion(actual, expected))
      throw new SourceChangedError(this.description, expected, actual);
    if (response.status !== 206 || response.start !== offset || response.body.length !== length)
      throw new UrlSourceError(
        this.description,
        `asked for ${length} bytes at ${offset}, got status ${response.status} with ${response.body.length} bytes`,
        response.status,
      );
    return response.body;
  }

  private async get(range: string, maxBytes: number, signal?: AbortSignal): Promise<RangeResponse> {
    const deadline = AbortSignal.timeout(this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
    // Host names are checked in the connection's lookup; literal addresses never reach a lookup, so check here.
    if (isIP(this.url.hostname.replace(/^\[|\]$/g, "")) !== 0)
      await resolveAllowed(this.url.hostname, this.options.policy);
    return new Promise<RangeResponse>((resolve, reject) => {
      const request = https.request(
        this.url,
        {
          method: "GET",
          agent: this.agent,
          lookup: guardedLookup(this.options.policy),
          headers: { Range: range, "Accept-Encoding": "identity" },
          signal: combined,
        },
        (response) => {
          const status = response.statusCode ?? 0;
          if (status >= 300 && status < 400) {
            response.resume();
            return reject(
              new UrlSourceError(this.description, `redirects are not followed (status ${status})`, status),
            );
          }
          // Every request here asks for a range; 200 means the server ignored it and is sending the whole file,
          // which a chunked upload cannot use (and would not fit the chunk buffer): say so, read nothing.
          if (status === 200) {
            response.destroy();
            return reject(
              new UrlSourceError(
                this.description,
                "the server ignored the Range header (answered 200 with the whole file); a URL source must " +
                  "answer Range requests with 206 Partial Content",
                status,
              ),
            );
          }
          const version = versionOf(response.headers.etag, response.headers["last-modified"]);
          const contentRange = parseContentRange(response.headers["content-range"]);
          const chunks: Buffer[] = [];
          let received = 0;
          response.on("data", (chunk: Buffer) => {
            received += chunk.length;
            // A server ignoring the range would send the whole file: stop reading instead of buffering it.
            if (received > maxBytes)
              response.destroy(
                new UrlSourceError(
                  this.description,
                  `the server sent more than the ${maxBytes} bytes the Range header asked for`,
                ),
              );
            else chunks.push(chunk);
          });
          response.on("error", reject);
          response.on("end", () =>
            resolve({
              status,
              version,
              total: contentRange?.total,
              start: contentRange?.start,
              body: new Uint8Array(Buffer.concat(chunks)),
            }),
          );
        },
      );
      request.on("error", reject);
      request.end();
    });
  }
}

interface RangeResponse {
  readonly status: number;
  readonly version: string;
  readonly total: number | undefined;
  readonly start: number | undefined;
  readonly body: Uint8Array;
}

function sameVersion(a: SourceFingerprint, b: SourceFingerprint): boolean {
  return a.size === b.size && a.version === b.version;
}

/** Strong or weak ETag as the server sent it, else Last-Modified; a source without either cannot be resumed. */
function versionOf(etag: string | undefined, lastModified: string | undefined): string {
  if (etag) return `etag:${etag}`;
  if (lastModified) return `modified:${lastModified}`;
  return UNVERSIONED;
}

// "bytes 0-0/1234", or "bytes * /1234" (without the space) for an unsatisfiable range (RFC 9110 §14.4).
function parseContentRange(value: string | undefined): { start?: number; total?: number } | undefined {
  if (!value) return undefined;
  const match = /^bytes (?:(\d+)-\d+|\*)\/(\d+)$/.exec(value.trim());
  if (!match) return undefined;
  return {
    ...(match[1] !== undefined ? { start: Number(match[1]) } : {}),
    ...(match[2] !== undefined ? { total: Number(match[2]) } : {}),
  };
}
