/**
 * What the read commands need from configuration: the Graph HTTP layer with the configured token provider,
 * after the read gate (src/auth/readGate.ts) has let the token through. Nothing here writes.
 */
import { assertReadAllowed } from "../auth/readGate.js";
import type { Env } from "../config/auth.js";
import { loadConfig } from "../config/index.js";
import { GraphHttp } from "../graph/http.js";
import { tokensFor } from "../mirror/localWiring.js";

export async function readOnlyGraph(env: Env): Promise<GraphHttp> {
  const config = loadConfig(env);
  const tokens = tokensFor(config);
  await assertReadAllowed(tokens);
  return new GraphHttp({
    baseUrl: config.graph.baseUrl,
    tokens,
    requestTimeoutMs: config.graph.requestTimeoutMs,
  });
}
