/**
 * A failed Graph call, as the core sees it: the HTTP evidence (status, Graph codes most specific first,
 * request-id, the raw throttling headers) or the network failure kind. The Graph client (src/graph) throws it;
 * errorClassification.ts decides what to do next. Messages never hold a URL, query string or token.
 */
export type FailureKind = "http" | "timeout" | "network";

export interface GraphFailureInit {
  readonly kind: FailureKind;
  readonly status?: number;
  /** Graph error codes, most specific (inner-most) first. */
  readonly codes?: readonly string[];
  readonly requestId?: string;
  readonly retryAfter?: string;
  readonly rateLimitReset?: string;
  /** Secret-free description: method, route name, status, Graph message. */
  readonly message: string;
  /**
   * Set when the connection could not be made at all (refused, or the host name does not resolve): the host
   * and port tried, so the failure can say "cannot connect to <host>" and fail fast (issue 15 item 7).
   */
  readonly unreachableHost?: string;
}

export class GraphFailure extends Error {
  readonly kind: FailureKind;
  readonly status: number | undefined;
  readonly codes: readonly string[];
  readonly requestId: string | undefined;
  readonly retryAfter: string | undefined;
  readonly rateLimitReset: string | undefined;
  readonly unreachableHost: string | undefined;

  constructor(init: GraphFailureInit) {
    super(init.message);
    this.name = "GraphFailure";
    this.kind = init.kind;
    this.status = init.status;
    this.codes = init.codes ?? [];
    this.requestId = init.requestId;
    this.retryAfter = init.retryAfter;
    this.rateLimitReset = init.rateLimitReset;
    this.unreachableHost = init.unreachableHost;
  }

  /** The most specific Graph error code, if the body had one. */
  get graphCode(): string | undefined {
    return this.codes[0];
  }
}
