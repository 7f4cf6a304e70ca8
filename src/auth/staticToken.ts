import type { TokenDescription } from "../core/ports/common.js";
import { AuthError } from "./errors.js";
import { readTokenClaims } from "./jwt.js";
import { type AuthStatus, type AuthTokenProvider, buildStatus, descriptionFromStatus } from "./status.js";

/** A fixed bearer token (`GRAPH_ACCESS_TOKEN`): it cannot be refreshed, so a 401 is final. */
export class StaticTokenProvider implements AuthTokenProvider {
  constructor(
    private readonly token: string,
    private readonly selectedBy = "GRAPH_ACCESS_TOKEN is set",
  ) {}

  async getToken(options?: { forceRefresh?: boolean }): Promise<string> {
    if (options?.forceRefresh) {
      throw new AuthError(
        "sign-in-required",
        "static token (GRAPH_ACCESS_TOKEN): Microsoft Graph rejected it and a fixed token cannot be refreshed; " +
          "put a new token in GRAPH_ACCESS_TOKEN or use another AUTH_MODE",
      );
    }
    return this.token;
  }

  async describe(): Promise<TokenDescription> {
    return descriptionFromStatus(await this.status());
  }

  async status(): Promise<AuthStatus> {
    const claims = readTokenClaims(this.token);
    const kind = claims?.roles.length ? "application" : claims?.scopes.length ? "delegated" : "unknown";
    return buildStatus({
      source: "static token (GRAPH_ACCESS_TOKEN)",
      selectedBy: this.selectedBy,
      kind,
      token: this.token,
    });
  }
}
