/**
 * Graph error bodies (docs/graph-protocol.md "Errors"): `{"error":{"code","message","innerError":{...}}}` on the Graph
 * host; the upload host writes the inner object as lower-case `innererror`. Clients must branch on codes and
 * status, never on `message`, so messages here are free text that never contains a secret.
 */

export type HostKind = "graph" | "upload";

/** A Graph error a handler throws; the server turns it into the status, headers and body. */
export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly innerCode?: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = "GraphError";
  }
}

export interface ErrorBodyContext {
  readonly host: HostKind;
  readonly requestId: string;
  readonly clientRequestId: string;
  readonly date: Date;
}

export function errorBody(error: GraphError, context: ErrorBodyContext): unknown {
  const inner: Record<string, string> = {
    ...(error.innerCode ? { code: error.innerCode } : {}),
    date: context.date.toISOString().replace(/\.\d{3}Z$/, ""),
    "request-id": context.requestId,
    "client-request-id": context.clientRequestId,
  };
  const innerKey = context.host === "graph" ? "innerError" : "innererror";
  return { error: { code: error.code, message: error.message, [innerKey]: inner } };
}

/** Shorthands for the errors the emulator raises most, with Graph's codes. */
export const errors = {
  invalidRequest: (message: string, innerCode?: string) =>
    new GraphError(400, "invalidRequest", message, innerCode),
  itemNotFound: (message = "The resource could not be found.") =>
    new GraphError(404, "itemNotFound", message),
  nameAlreadyExists: (message = "The specified item name already exists.") =>
    new GraphError(409, "nameAlreadyExists", message),
  accessDenied: (message: string) => new GraphError(403, "accessDenied", message),
  quotaLimitReached: (message = "Insufficient Space Available") =>
    new GraphError(507, "quotaLimitReached", message),
  locked: (message = "The resource you are attempting to access is locked") =>
    new GraphError(423, "notAllowed", message, "resourceLocked"),
  methodNotAllowed: () =>
    new GraphError(405, "invalidRequest", "The HTTP method is not allowed on this resource."),
};
