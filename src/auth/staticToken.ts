import type { TokenDescription, TokenProvider } from "../core/ports.js";

/** A fixed bearer token (`GRAPH_ACCESS_TOKEN`): cannot refresh, so a 401 is final. */
export class StaticTokenProvider implements TokenProvider {
  constructor(private readonly token: string) {}

  async getToken(): Promise<string> {
    return this.token;
  }

  async describe(): Promise<TokenDescription> {
    return { source: "static token (GRAPH_ACCESS_TOKEN)", capability: "unknown", scopes: [] };
  }
}
