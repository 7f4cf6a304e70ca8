/**
 * GET /api/health: can this instance reach its storage account and Microsoft Graph? Reports what was checked,
 * how long it took and what failed, never a connection string, token or account key (docs/design.md invariant 5).
 * Graph counts as reachable when its host answers HTTP at all (an unauthenticated request gets 401): this
 * checks the network path without spending a token.
 */
import type { HttpRequest, HttpResponse, InvocationContext } from "@azure/functions";
import { VERSION } from "../version.js";
import { json } from "./httpAnswers.js";

export interface HealthDeps {
  /** Resolves when the storage account answers (e.g. the wake queue's properties). */
  readonly checkStorage: (signal: AbortSignal) => Promise<void>;
  readonly graphBaseUrl: string;
  readonly timeoutMs?: number;
}

export interface CheckResult {
  readonly ok: boolean;
  readonly ms: number;
  readonly detail?: string;
}

export function getHealth(deps: () => Promise<HealthDeps>) {
  return async (_request: HttpRequest, _context: InvocationContext): Promise<HttpResponse> => {
    let resolved: HealthDeps | undefined;
    let setupProblem: string | undefined;
    try {
      resolved = await deps();
    } catch (err: unknown) {
      setupProblem =
        err instanceof Error && err.name === "ConfigError"
          ? err.message
          : "the configuration could not be loaded";
    }
    const timeoutMs = resolved?.timeoutMs ?? 5_000;
    const [storage, graph] = resolved
      ? await Promise.all([
          timed(timeoutMs, (signal) => resolved.checkStorage(signal).then(() => "reachable")),
          timed(timeoutMs, (signal) => graphReachable(resolved.graphBaseUrl, signal)),
        ])
      : [
          { ok: false, ms: 0, detail: setupProblem },
          { ok: false, ms: 0, detail: setupProblem },
        ];
    const ok = storage.ok && graph.ok;
    return json(ok ? 200 : 503, {
      status: ok ? "ok" : "degraded",
      version: VERSION,
      checks: { storage, graph },
    });
  };
}

async function graphReachable(baseUrl: string, signal: AbortSignal): Promise<string> {
  const response = await fetch(`${baseUrl.replace(/\/+$/, "")}/`, {
    method: "GET",
    signal,
    redirect: "manual",
  });
  await response.body?.cancel();
  return `answered HTTP ${response.status}`;
}

async function timed(
  timeoutMs: number,
  check: (signal: AbortSignal) => Promise<string>,
): Promise<CheckResult> {
  const started = performance.now();
  const signal = AbortSignal.timeout(timeoutMs);
  // Not every check honours the signal all the way down (building the storage clients): race it too.
  const timedOut = new Promise<never>((_resolve, reject) =>
    signal.addEventListener("abort", () => reject(signal.reason), { once: true }),
  );
  timedOut.catch(() => undefined);
  try {
    const detail = await Promise.race([check(signal), timedOut]);
    return { ok: true, ms: Math.round(performance.now() - started), detail };
  } catch (err: unknown) {
    return { ok: false, ms: Math.round(performance.now() - started), detail: describeFailure(err) };
  }
}

/** A cause without secrets: error names and network codes only, never messages that may quote a URL's query. */
function describeFailure(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === "TimeoutError" || err.name === "AbortError") return "timed out";
    const cause = err.cause as { code?: unknown; errors?: { code?: unknown }[] } | undefined;
    // fetch wraps the socket error; happy-eyeballs wraps one per address.
    const code = (err as { code?: unknown }).code ?? cause?.code ?? cause?.errors?.[0]?.code;
    const status = (err as { statusCode?: unknown }).statusCode;
    if (typeof status === "number") return `answered HTTP ${status}`;
    if (typeof code === "string") return `network error ${code}`;
    // A fetch failure's cause names the network problem ("bad port", "getaddrinfo ..."), never a secret.
    if (err.name === "TypeError" && cause instanceof Error) return `network error: ${cause.message}`;
    return err.name;
  }
  return "failed";
}
