/**
 * GET /api/mirrors (definitions with their last run and its result) and GET /api/stats (totals, success rate,
 * bytes, per mirror, over the last `days` days, default 7): thin adapters over src/mirror. Function-level keys
 * in Azure under API_AUTH=functionKey; under API_AUTH=entra the routes are anonymous at the Functions level and
 * the caller needs the app role Uploads.Read (src/api/authorize.ts), checked before anything is read.
 * Answers never hold secrets: no tokens, no upload URLs, URL sources without their query.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { authorize } from "../api/authorize.js";
import { ROLES } from "../api/caller.js";
import type { Services } from "../app/services.js";
import { redactSecrets } from "../core/shared/redact.js";
import { ConfigError } from "../core/shared/validationError.js";
import { mirrorsOverview } from "../mirror/overview.js";
import { computeStats } from "../mirror/stats.js";
import { appServices } from "./appServices.js";

const DAY_MS = 24 * 60 * 60 * 1000;

/** Read when the worker loads the app, as the host reads authLevel only at registration (as src/functions/uploads.ts). */
const readAuthLevel = appServices().config.httpApi.apiAuth === "entra" ? "anonymous" : "function";

/** The caller check of the read routes: undefined when the caller may read, else the 401/403 answer. */
function refused(
  request: HttpRequest,
  context: InvocationContext,
  services: Services,
): HttpResponseInit | undefined {
  try {
    const auth = authorize(request, services.config.httpApi.apiAuth, ROLES.read);
    return auth.ok ? undefined : auth.answer;
  } catch (err: unknown) {
    return failure(err, context);
  }
}

export async function listMirrorsHandler(
  request: HttpRequest,
  context: InvocationContext,
  services: Services = appServices(),
): Promise<HttpResponseInit> {
  const denied = refused(request, context, services);
  if (denied) return denied;
  try {
    const wiring = await services.mirror();
    return { status: 200, jsonBody: await mirrorsOverview(await wiring.definitions(), wiring.history) };
  } catch (err: unknown) {
    return failure(err, context);
  }
}

export async function statsHandler(
  request: HttpRequest,
  context: InvocationContext,
  services: Services = appServices(),
): Promise<HttpResponseInit> {
  const denied = refused(request, context, services);
  if (denied) return denied;
  const daysText = request.query.get("days") ?? "7";
  const days = Number(daysText);
  if (!/^\d+$/.test(daysText) || days < 1 || days > 365) {
    return {
      status: 400,
      jsonBody: {
        error: {
          code: "invalidRequest",
          problems: [{ field: "days", rule: "must be a whole number from 1 to 365" }],
        },
      },
    };
  }
  try {
    const wiring = await services.mirror();
    const since = services.clock.now() - days * DAY_MS;
    return { status: 200, jsonBody: computeStats(await wiring.history.records({ since }), since) };
  } catch (err: unknown) {
    return failure(err, context);
  }
}

function failure(err: unknown, context: InvocationContext): HttpResponseInit {
  if (err instanceof ConfigError) {
    // Configuration problems name settings and rules, never values: safe to show to the operator.
    return { status: 500, jsonBody: { error: { code: "configurationError", message: err.message } } };
  }
  context.error(
    JSON.stringify({
      event: "mirror-api-error",
      message: err instanceof Error ? redactSecrets(err.message) : "error",
    }),
  );
  return { status: 500, jsonBody: { error: { code: "internalError", message: "see the function log" } } };
}

app.http("listMirrors", {
  route: "mirrors",
  methods: ["GET"],
  authLevel: readAuthLevel,
  handler: (request, context) => listMirrorsHandler(request, context),
});
app.http("mirrorStats", {
  route: "stats",
  methods: ["GET"],
  authLevel: readAuthLevel,
  handler: (request, context) => statsHandler(request, context),
});
