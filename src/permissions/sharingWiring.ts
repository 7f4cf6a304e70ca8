/**
 * What the sharing commands need: the Graph HTTP layer on the composition root's one token provider
 * (src/app/services.ts), after the sharing gate (src/auth/sharingGate.ts) has let the token through — so a
 * token that cannot share is refused before any request.
 */
import type { CoreServices } from "../app/types.js";
import { assertSharingAllowed } from "../auth/sharingGate.js";
import type { GraphHttp } from "../graph/http.js";

export async function sharingGraph(services: CoreServices, signal?: AbortSignal): Promise<GraphHttp> {
  await assertSharingAllowed(services.tokens(), signal);
  return services.graphHttp();
}
