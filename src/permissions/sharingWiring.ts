/**
 * What the sharing commands need from configuration: the Graph HTTP layer with the configured token provider,
 * after the sharing gate (src/auth/sharingGate.ts) has let the token through — so a token that cannot share is
 * refused before any request.
 */
import { assertSharingAllowed } from "../auth/sharingGate.js";
import type { Env } from "../config/auth.js";
import { loadConfig } from "../config/index.js";
import { GraphHttp } from "../graph/http.js";
import { tokensFor } from "../mirror/localWiring.js";

export async function sharingGraph(env: Env, signal?: AbortSignal): Promise<GraphHttp> {
  const config = loadConfig(env);
  const tokens = tokensFor(config);
  await assertSharingAllowed(tokens, signal);
  return new GraphHttp({
    baseUrl: config.graph.baseUrl,
    tokens,
    requestTimeoutMs: config.graph.requestTimeoutMs,
  });
}
