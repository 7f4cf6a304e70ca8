/**
 * The OAuth 2.0 token endpoint of the Microsoft identity platform, for the grants graph-mirror makes itself:
 * refresh (token.json, rclone.conf), device code and authorization code (login).
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow#refresh-the-access-token
 *
 * Failures are classified by the OAuth `error` field; the AADSTS code only sharpens the message
 * (docs/platform.md "Identity"; https://learn.microsoft.com/entra/identity-platform/reference-error-codes).
 */
import type { Clock } from "../core/ports/common.js";
import { AuthError, SIGN_IN_AGAIN } from "./errors.js";
import { type IdentityHttpOptions, postForm } from "./http.js";

export interface OAuthClient {
  readonly tokenEndpoint: string;
  readonly clientId: string;
  readonly clientSecret?: string;
  /** Where the secret came from (a setting name or `rclone.conf [remote] client_secret`), for messages. */
  readonly clientSecretSource?: string;
}

export interface TokenSet {
  readonly accessToken: string;
  readonly refreshToken?: string;
  readonly expiresAt: number;
  /** Granted scopes from the `scope` field, when the endpoint returned one. */
  readonly scopes?: readonly string[];
}

export interface GrantContext {
  readonly clock: Clock;
  readonly http?: IdentityHttpOptions;
  /** Who is refreshing, for messages: `token.json (/path)`, `rclone remote "od"`. */
  readonly label: string;
}

export async function redeemGrant(
  client: OAuthClient,
  grant: Readonly<Record<string, string>>,
  context: GrantContext,
): Promise<TokenSet> {
  const form: Record<string, string> = { client_id: client.clientId, ...grant };
  if (client.clientSecret) form.client_secret = client.clientSecret;
  let response: Awaited<ReturnType<typeof postForm>>;
  try {
    response = await postForm(client.tokenEndpoint, form, context.http);
  } catch (err: unknown) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new AuthError(
      "network",
      `${context.label}: the token endpoint ${new URL(client.tokenEndpoint).host} could not be reached ` +
        `(${reason}); this is retried`,
    );
  }
  if (response.status >= 200 && response.status < 300) return parseTokenResponse(response.body, context);
  throw classifyTokenEndpointError(response.status, response.body, client, context.label);
}

export function refreshGrant(
  client: OAuthClient,
  refreshToken: string,
  scopes: readonly string[],
  context: GrantContext,
): Promise<TokenSet> {
  return redeemGrant(
    client,
    {
      grant_type: "refresh_token",
      refresh_token: refreshToken,
      ...(scopes.length > 0 ? { scope: scopes.join(" ") } : {}),
    },
    context,
  );
}

export function parseTokenResponse(body: unknown, context: GrantContext): TokenSet {
  const record = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  const accessToken = record.access_token;
  if (typeof accessToken !== "string" || accessToken === "") {
    throw new AuthError("rejected", `${context.label}: the token endpoint answered without an access_token`);
  }
  const expiresIn = Number(record.expires_in);
  const refreshToken = typeof record.refresh_token === "string" ? record.refresh_token : undefined;
  const scope = typeof record.scope === "string" ? record.scope.split(" ").filter(Boolean) : undefined;
  return {
    accessToken,
    ...(refreshToken ? { refreshToken } : {}),
    // One hour is the identity platform's default lifetime when a proxy strips expires_in.
    expiresAt: context.clock.now() + (Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 3600) * 1000,
    ...(scope ? { scopes: scope } : {}),
  };
}

export function aadstsCode(body: unknown): number | undefined {
  const record = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  if (Array.isArray(record.error_codes) && typeof record.error_codes[0] === "number")
    return record.error_codes[0];
  const description = typeof record.error_description === "string" ? record.error_description : "";
  const match = /AADSTS(\d+)/.exec(description);
  return match ? Number(match[1]) : undefined;
}

export function classifyTokenEndpointError(
  status: number,
  body: unknown,
  client: OAuthClient,
  label: string,
): AuthError {
  const record = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  const error = typeof record.error === "string" ? record.error : "";
  const code = aadstsCode(body);
  const tag = code !== undefined ? ` (AADSTS${code})` : error ? ` (${error})` : ` (HTTP ${status})`;
  const secretSource = client.clientSecretSource ?? "AZURE_CLIENT_SECRET";
  if (status === 429 || status >= 500 || error === "temporarily_unavailable" || error === "server_error") {
    return new AuthError("network", `${label}: the identity platform is unavailable${tag}; this is retried`);
  }
  if (error === "invalid_grant" || error === "interaction_required") {
    const what =
      code === 50173
        ? "the refresh token was revoked (password change or sign-out)"
        : code === 70008 || code === 700082
          ? "the refresh token expired"
          : code === 50076 || code === 50079
            ? "the tenant now requires multi-factor sign-in"
            : code === 65001
              ? "consent for the requested permissions is missing"
              : "the refresh token is no longer accepted";
    return new AuthError("sign-in-required", `${label}: ${what}${tag}: ${SIGN_IN_AGAIN}`);
  }
  if (error === "invalid_client" || error === "unauthorized_client") {
    if (code === 7000215) {
      return new AuthError(
        "bad-client-credential",
        `${label}: the client secret is wrong${tag}: set ${secretSource} to the secret's Value (not its ` +
          "Secret ID) from the app registration's Certificates & secrets page",
      );
    }
    if (code === 7000222) {
      return new AuthError(
        "bad-client-credential",
        `${label}: the client secret has expired${tag}: create a new secret in the app registration and put ` +
          `it in ${secretSource}`,
      );
    }
    if (code === 7000218) {
      return new AuthError(
        "bad-client-credential",
        `${label}: the app registration is confidential and needs a secret${tag}: set ${secretSource}, or ` +
          "enable 'Allow public client flows' on the app registration",
      );
    }
    return new AuthError(
      "bad-client-credential",
      `${label}: the identity platform does not accept client ${client.clientId}${tag}: check the client id ` +
        `and ${secretSource}`,
    );
  }
  return new AuthError("rejected", `${label}: the identity platform refused the request${tag}`);
}
