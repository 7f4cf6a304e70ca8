/**
 * Graph calls as dependency spans (Application Insights "dependencies"), through `@opentelemetry/api` only:
 * a no-op until an SDK is registered. The span is named after the call's route (`graph uploadFragment`) and
 * carries the method, status, Graph request-id and the host name, never the URL: upload URLs are credentials
 * (their query and path hold `tempauth`), and Graph paths name users' files.
 *
 * The API itself (~8 MiB of RSS) is loaded only once something has registered a global with it (the Azure
 * Monitor distribution in the Functions app, src/telemetry/azureMonitor.ts; the tests' in-memory providers).
 * Until then its tracer would be a no-op that just runs the call, so the CLI runs the call directly and never
 * loads it (issue 17, docs/upload.md "Memory").
 */
import type { Span, SpanStatusCode } from "@opentelemetry/api";
import { GraphFailure } from "../core/ports/graphFailure.js";
import { GRAPH_SPAN_PREFIX, SPAN_ATTRIBUTES as S, TRACER_NAME } from "./names.js";

export interface GraphCallInfo {
  readonly route: string;
  readonly method: string;
  readonly target: "graph" | "upload";
  /** The host name only (e.g. graph.microsoft.com): never the path or query. */
  readonly host: string;
}

export interface GraphCallAnswer {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
}

/** Where every copy of `@opentelemetry/api` 1.x keeps its registered providers (its global-utils.ts). */
const OTEL_API_GLOBAL = Symbol.for("opentelemetry.js.api.1");

export async function withGraphSpan<T extends GraphCallAnswer>(
  info: GraphCallInfo,
  call: () => Promise<T>,
): Promise<T> {
  if ((globalThis as Record<symbol, unknown>)[OTEL_API_GLOBAL] === undefined) return call();
  const { SpanKind, SpanStatusCode, trace } = await import("@opentelemetry/api");
  const tracer = trace.getTracer(TRACER_NAME);
  return tracer.startActiveSpan(
    `${GRAPH_SPAN_PREFIX}${info.route}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        [S.route]: info.route,
        [S.method]: info.method,
        [S.target]: info.target,
        [S.serverAddress]: info.host,
      },
    },
    async (span) => {
      try {
        const answer = await call();
        span.setAttribute(S.status, answer.status);
        if (answer.status >= 400)
          span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${answer.status}` });
        const requestId = answer.headers.get("request-id") ?? answer.headers.get("client-request-id");
        if (requestId) span.setAttribute(S.requestId, requestId);
        return answer;
      } catch (err: unknown) {
        failed(span, err, SpanStatusCode.ERROR);
        throw err;
      } finally {
        span.end();
      }
    },
  );
}

/** Only the failure's status, request-id and kind: its message names the route, never a URL, but stays out. */
function failed(span: Span, err: unknown, ERROR: SpanStatusCode): void {
  if (err instanceof GraphFailure) {
    if (err.status !== undefined) span.setAttribute(S.status, err.status);
    if (err.requestId) span.setAttribute(S.requestId, err.requestId);
    span.setStatus({ code: ERROR, message: err.kind });
  } else {
    span.setStatus({ code: ERROR, message: err instanceof Error ? err.name : "error" });
  }
}
