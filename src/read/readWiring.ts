/**
 * What the read commands need: the Graph HTTP layer on the composition root's one token provider
 * (src/app/services.ts), after the read gate (src/auth/readGate.ts) has let the token through. Nothing here writes.
 */
import type { CoreServices } from "../app/types.js";
import { assertReadAllowed } from "../auth/readGate.js";
import type { GraphHttp } from "../graph/http.js";

export async function readOnlyGraph(services: CoreServices): Promise<GraphHttp> {
  await assertReadAllowed(services.tokens());
  return services.graphHttp();
}
