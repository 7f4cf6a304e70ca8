/** GET /api/health: storage and Graph reachability, no secrets (src/api/health.ts). */
import { app, type HttpRequest, type HttpResponse, type InvocationContext } from "@azure/functions";
import { getHealth, type HealthDeps } from "../api/health.js";
import { appServices } from "./appServices.js";

async function healthDeps(): Promise<HealthDeps> {
  const services = appServices();
  return {
    graphBaseUrl: services.config.graph.baseUrl,
    checkStorage: async (abortSignal) => {
      const storage = await services.storage();
      await storage.clients.wakeQueue.getProperties({ abortSignal });
    },
  };
}

export async function healthFunction(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponse> {
  return getHealth(healthDeps)(request, context);
}

app.http("health", { route: "health", methods: ["GET"], authLevel: "function", handler: healthFunction });
