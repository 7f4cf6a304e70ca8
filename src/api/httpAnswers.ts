/**
 * The JSON answers of the HTTP API. Error bodies have one shape everywhere:
 *   {"error": {"code": "invalidRequest", "message": "...", "problems": [{"field": "...", "rule": "..."}]}}
 * Messages never carry secrets (no upload URLs, tokens or SAS queries: docs/design.md invariant 5).
 */
import azureFunctions, { type HttpResponse } from "@azure/functions";
import type { FieldProblem } from "../core/shared/validationError.js";

// The library is a webpack-bundled CommonJS module whose classes Node's ESM loader cannot see as named
// exports (only `app`, `output`, ... are detected): take them from the default export.
const { HttpResponse: Response } = azureFunctions;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return new Response({
    status,
    jsonBody: body,
    headers: { "Cache-Control": "no-store", ...headers },
  });
}

export function invalidRequest(problems: readonly FieldProblem[]): HttpResponse {
  const message = problems.map((p) => `${p.field}: ${p.rule}`).join("; ");
  return json(400, { error: { code: "invalidRequest", message, problems } });
}

/** 415: the body's media type is not one this endpoint reads; the problem names the header and the rule. */
export function unsupportedMediaType(problems: readonly FieldProblem[]): HttpResponse {
  const message = problems.map((p) => `${p.field}: ${p.rule}`).join("; ");
  return json(415, { error: { code: "unsupportedMediaType", message, problems } });
}

export function errorAnswer(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): HttpResponse {
  return json(status, { error: { code, message } }, headers);
}

/**
 * 422: the request is well formed but names a drive, user, site or library that does not exist; the problems
 * say which, and for a library which ones do (src/api/destinationExists.ts).
 */
export function destinationNotFound(problems: readonly FieldProblem[]): HttpResponse {
  const message = problems.map((p) => `${p.field}: ${p.rule}`).join("; ");
  return json(422, { error: { code: "destinationNotFound", message, problems } });
}
