/**
 * Graph error bodies (docs/graph-protocol.md "Errors"): `{"error":{"code","message","innerError":{"code","request-id",
 * "innerError":{...}}}}`. The upload host writes `innererror` in lower case, and inner errors nest; codes are
 * returned most specific (inner-most) first so callers can branch on the best one.
 */
export interface ParsedGraphError {
  readonly codes: string[];
  readonly message?: string;
  readonly requestId?: string;
}

export function parseGraphErrorBody(text: string): ParsedGraphError {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { codes: [] };
  }
  const error = field(body, "error");
  if (!isRecord(error)) return { codes: [] };
  const codes: string[] = [];
  let requestId: string | undefined;
  let node: unknown = error;
  for (let depth = 0; isRecord(node) && depth < 16; depth++) {
    const code = node.code;
    if (typeof code === "string" && code !== "") codes.unshift(code);
    const rid = node["request-id"] ?? node.requestId;
    if (typeof rid === "string" && rid !== "") requestId = rid;
    node = node.innerError ?? node.innererror ?? node.InnerError;
  }
  const message = typeof error.message === "string" ? error.message : undefined;
  return { codes, ...(message ? { message } : {}), ...(requestId ? { requestId } : {}) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function field(value: unknown, name: string): unknown {
  return isRecord(value) ? value[name] : undefined;
}
