/**
 * `graph-mirror login`: a person signs in and the delegated token lands in token.json.
 * - Device code (default): works on a headless server; the person signs in on any device.
 *   https://learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code
 * - Browser (`--browser`): authorization code with PKCE (S256) and a loopback redirect on 127.0.0.1.
 *   https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow
 * Both ask for `offline_access` so a refresh token comes back, and save with the same lock and atomic
 * write as a refresh (src/auth/delegated/tokenFile.ts).
 */
import { createHash, randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { Clock } from "../../core/ports/common.js";
import { http } from "../../nodeHttp.js";
import { type StoredToken, withTokenFileLock, writeTokenFile } from "../delegated/tokenFile.js";
import { AuthError } from "../errors.js";
import { type IdentityHttpOptions, postForm } from "../http.js";
import { readTokenClaims } from "../jwt.js";
import type { AuthLogger } from "../log.js";
import {
  classifyTokenEndpointError,
  type OAuthClient,
  parseTokenResponse,
  redeemGrant,
} from "../tokenEndpoint.js";

export interface LoginSettings {
  /** `https://login.microsoftonline.com` or the cloud's / AZURE_AUTHORITY_HOST's. */
  readonly authorityHost: string;
  /** Tenant id or `organizations` / `consumers` / `common`. */
  readonly tenant: string;
  readonly clientId: string;
  readonly clientSecret?: string;
  readonly scopes: readonly string[];
  readonly tokenFile: string;
}

export interface LoginDependencies {
  readonly clock: Clock;
  readonly logger: AuthLogger;
  /** Where instructions for the person go (stderr in the CLI). */
  readonly tell: (line: string) => void;
  /** Waits between device code polls; tests pass one that returns at once. */
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Opens the sign-in page (browser flow). The URL is always printed too. */
  readonly openBrowser?: (url: string) => Promise<void>;
  readonly http?: IdentityHttpOptions;
  readonly signal?: AbortSignal;
}

export interface LoginResult {
  readonly tokenFile: string;
  readonly user?: string;
  readonly scopes: readonly string[];
  readonly expiresAt: number;
}

function endpoints(settings: LoginSettings) {
  const base = `${settings.authorityHost.replace(/\/+$/, "")}/${settings.tenant}/oauth2/v2.0`;
  return { token: `${base}/token`, deviceCode: `${base}/devicecode`, authorize: `${base}/authorize` };
}

function client(settings: LoginSettings): OAuthClient {
  return {
    tokenEndpoint: endpoints(settings).token,
    clientId: settings.clientId,
    ...(settings.clientSecret
      ? { clientSecret: settings.clientSecret, clientSecretSource: "AZURE_CLIENT_SECRET" }
      : {}),
  };
}

function withOfflineAccess(scopes: readonly string[]): string {
  const all = new Set(scopes);
  all.add("offline_access");
  return [...all].join(" ");
}

export async function loginWithDeviceCode(
  settings: LoginSettings,
  deps: LoginDependencies,
): Promise<LoginResult> {
  const label = "login (device code)";
  const http = { ...deps.http, ...(deps.signal ? { signal: deps.signal } : {}) };
  const url = endpoints(settings);
  let start: Awaited<ReturnType<typeof postForm>>;
  try {
    start = await postForm(
      url.deviceCode,
      { client_id: settings.clientId, scope: withOfflineAccess(settings.scopes) },
      http,
    );
  } catch (err: unknown) {
    throw new AuthError(
      "network",
      `${label}: ${new URL(url.deviceCode).host} could not be reached (${(err as Error).message})`,
    );
  }
  if (start.status !== 200)
    throw classifyTokenEndpointError(start.status, start.body, client(settings), label);
  const body = start.body as Record<string, unknown>;
  const deviceCode = String(body.device_code ?? "");
  let interval = Math.max(1, Number(body.interval) || 5) * 1000;
  const deadline = deps.clock.now() + (Number(body.expires_in) || 900) * 1000;
  deps.tell(
    typeof body.message === "string"
      ? body.message
      : `To sign in, open ${String(body.verification_uri)} and enter the code ${String(body.user_code)}`,
  );
  deps.logger({ event: "login.device-code", intervalMs: interval });
  while (deps.clock.now() < deadline) {
    await deps.sleep(interval, deps.signal);
    const poll = await postForm(
      url.token,
      {
        grant_type: "urn:ietf:params:oauth:grant-type:device_code",
        client_id: settings.clientId,
        device_code: deviceCode,
        ...(settings.clientSecret ? { client_secret: settings.clientSecret } : {}),
      },
      http,
    ).catch((err: unknown) => {
      throw new AuthError(
        "network",
        `${label}: the token endpoint could not be reached (${(err as Error).message})`,
      );
    });
    const error = (poll.body as Record<string, unknown>).error;
    if (poll.status === 200) {
      return save(settings, parseTokenResponse(poll.body, { clock: deps.clock, label }), poll.body, deps);
    }
    if (error === "authorization_pending") continue;
    if (error === "slow_down") {
      interval += 5000;
      continue;
    }
    if (error === "authorization_declined")
      throw new AuthError("rejected", `${label}: the sign-in was declined`);
    if (error === "expired_token") break;
    throw classifyTokenEndpointError(poll.status, poll.body, client(settings), label);
  }
  throw new AuthError(
    "sign-in-required",
    `${label}: the code expired before anyone signed in: run \`graph-mirror login\` again`,
  );
}

export async function loginWithBrowser(
  settings: LoginSettings,
  deps: LoginDependencies,
): Promise<LoginResult> {
  const label = "login (browser)";
  const verifier = randomBytes(32).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  const state = randomBytes(16).toString("base64url");
  const received = loopback(state, deps.signal);
  const port = await received.port;
  const redirectUri = `http://localhost:${port}/`;
  const authorize = new URL(endpoints(settings).authorize);
  authorize.search = new URLSearchParams({
    client_id: settings.clientId,
    response_type: "code",
    redirect_uri: redirectUri,
    response_mode: "query",
    scope: withOfflineAccess(settings.scopes),
    state,
    code_challenge: challenge,
    code_challenge_method: "S256",
    prompt: "select_account",
  }).toString();
  deps.tell(`Sign in in your browser. If it does not open, visit:\n${authorize.toString()}`);
  deps.logger({ event: "login.browser", redirectUri });
  try {
    await deps.openBrowser?.(authorize.toString());
    const code = await received.code;
    const set = await redeemGrant(
      client(settings),
      {
        grant_type: "authorization_code",
        code,
        redirect_uri: redirectUri,
        code_verifier: verifier,
        scope: withOfflineAccess(settings.scopes),
      },
      { clock: deps.clock, label, ...(deps.http ? { http: deps.http } : {}) },
    );
    return await save(settings, set, undefined, deps);
  } finally {
    received.close();
  }
}

/** A one-shot HTTP server on 127.0.0.1 that waits for the redirect carrying `code` and our `state`. */
function loopback(state: string, signal: AbortSignal | undefined) {
  let resolveCode: (code: string) => void = () => {};
  let rejectCode: (err: Error) => void = () => {};
  const code = new Promise<string>((resolve, reject) => {
    resolveCode = resolve;
    rejectCode = reject;
  });
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const error = url.searchParams.get("error");
    const got = url.searchParams.get("code");
    if (url.searchParams.get("state") !== state || (!got && !error)) {
      res.writeHead(400, { "content-type": "text/plain" }).end("Unexpected request.");
      return;
    }
    if (error) {
      res.writeHead(200, { "content-type": "text/plain" }).end("Sign-in failed. You can close this window.");
      rejectCode(new AuthError("rejected", `login (browser): the sign-in failed (${error})`));
      return;
    }
    res.writeHead(200, { "content-type": "text/plain" }).end("Signed in. You can close this window.");
    resolveCode(got ?? "");
  });
  const onAbort = () =>
    rejectCode(new AuthError("rejected", "login (browser): cancelled before the sign-in finished"));
  signal?.addEventListener("abort", onAbort, { once: true });
  const port = new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
  return {
    port,
    code,
    close: () => {
      signal?.removeEventListener("abort", onAbort);
      server.closeAllConnections();
      server.close();
    },
  };
}

async function save(
  settings: LoginSettings,
  set: { accessToken: string; refreshToken?: string; expiresAt: number; scopes?: readonly string[] },
  body: unknown,
  deps: LoginDependencies,
): Promise<LoginResult> {
  if (!set.refreshToken) {
    throw new AuthError(
      "rejected",
      "login: no refresh token came back (offline_access was not granted), so the sign-in would not last: " +
        "check the app registration's permissions",
    );
  }
  const idToken =
    typeof (body as Record<string, unknown> | undefined)?.id_token === "string"
      ? String((body as Record<string, unknown>).id_token)
      : undefined;
  const claims = readTokenClaims(set.accessToken) ?? (idToken ? readTokenClaims(idToken) : undefined);
  const user = claims?.user ?? (idToken ? readTokenClaims(idToken)?.user : undefined);
  const scopes = set.scopes ?? settings.scopes.filter((s) => s !== "offline_access");
  const token: StoredToken = {
    accessToken: set.accessToken,
    refreshToken: set.refreshToken,
    expiresAt: set.expiresAt,
    scopes,
    clientId: settings.clientId,
    tenantId: claims?.tenantId ?? settings.tenant,
    tokenEndpoint: endpoints(settings).token,
    extra: user ? { user } : {},
  };
  await withTokenFileLock(settings.tokenFile, () => writeTokenFile(settings.tokenFile, token));
  deps.logger({
    event: "login.saved",
    file: settings.tokenFile,
    expiresAt: new Date(set.expiresAt).toISOString(),
  });
  return { tokenFile: settings.tokenFile, ...(user ? { user } : {}), scopes, expiresAt: set.expiresAt };
}
