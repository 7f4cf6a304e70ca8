/**
 * A fake Microsoft identity platform for tests: HTTPS on 127.0.0.1 with a certificate generated per run, the
 * routes MSAL and graph-mirror use (docs/platform.md "Identity"):
 * - GET  /{tenant}/v2.0/.well-known/openid-configuration
 * - POST /{tenant}/oauth2/v2.0/token      client_credentials (secret or certificate/federated assertion),
 *                                          refresh_token, device_code, authorization_code (PKCE S256)
 * - POST /{tenant}/oauth2/v2.0/devicecode
 * - GET  /{tenant}/oauth2/v2.0/authorize  answers 302 to the redirect_uri with a code
 * plus a managed identity endpoint over plain http (App Service protocol: IDENTITY_ENDPOINT + IDENTITY_HEADER).
 * Access tokens are JWT-shaped (unsigned) so capability detection can read `roles`/`scp`, or taken from a
 * queue the test filled in advance (so the Graph emulator can be seeded with them).
 */
import { createHash, createPublicKey, randomBytes, verify, X509Certificate } from "node:crypto";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { generate } from "selfsigned";

export interface FakeApp {
  readonly clientId: string;
  readonly secret?: string;
  /** PEM certificate whose key signs client assertions. */
  readonly certificatePem?: string;
  /** A workload identity's federated token (the content of AZURE_FEDERATED_TOKEN_FILE). */
  readonly federatedToken?: string;
  /** Application permissions put in the token's `roles` claim. */
  readonly roles?: readonly string[];
  /** Access tokens to hand out, in order, before minting JWT-shaped ones. */
  readonly tokenQueue?: string[];
}

export interface FakeRefreshToken {
  readonly clientId: string;
  readonly scope: string;
  /** Refuse with this OAuth error (e.g. invalid_grant + AADSTS700082). */
  readonly fail?: { readonly error: string; readonly code: number; readonly status?: number };
  /** Opaque personal-account style tokens (no JWT claims). */
  readonly opaque?: boolean;
  readonly user?: string;
  /** Access tokens to hand out, in order. */
  readonly tokenQueue?: string[];
}

export interface FakeRequest {
  readonly method: string;
  readonly path: string;
  readonly grantType?: string;
  readonly clientId?: string;
}

export interface FakeIdentity {
  /** `https://127.0.0.1:<port>`: use as AZURE_AUTHORITY_HOST. */
  readonly authorityHost: string;
  /** PEM of the TLS certificate, to trust per call. */
  readonly ca: string;
  /** `http://127.0.0.1:<port>/msi/token`: use as IDENTITY_ENDPOINT. */
  readonly managedIdentityEndpoint: string;
  readonly managedIdentityHeader: string;
  readonly requests: FakeRequest[];
  /** Every access token and refresh token issued so far (to scan logs for them). */
  readonly issued: string[];
  addApp(app: FakeApp): void;
  addRefreshToken(token: string, details: FakeRefreshToken): void;
  /** Access token the managed identity endpoint returns next (otherwise a minted JWT with these roles). */
  managedIdentity: { tokenQueue: string[]; roles: string[]; clientIds: (string | undefined)[] };
  /** How many `authorization_pending` answers a device code gets before it is approved. */
  devicePendingPolls: number;
  /** Who signs in through device code and the browser flow. */
  signedInUser: string;
  /** Holds refresh answers this long, to widen the window in which two processes race. */
  refreshDelayMs: number;
  tokenEndpoint(tenant: string): string;
  close(): Promise<void>;
}

export const FAKE_TENANT = "11111111-2222-3333-4444-555555555555";

export async function startFakeIdentity(): Promise<FakeIdentity> {
  const tls = await generate([{ name: "commonName", value: "127.0.0.1" }], {
    keySize: 2048,
    extensions: [{ name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }] }],
  });
  const apps = new Map<string, FakeApp>();
  const refreshTokens = new Map<string, FakeRefreshToken>();
  const deviceCodes = new Map<string, { clientId: string; scope: string; polls: number }>();
  const authCodes = new Map<
    string,
    { clientId: string; scope: string; challenge: string; redirectUri: string }
  >();
  const requests: FakeRequest[] = [];
  const issued: string[] = [];
  let origin = "";

  const fake: FakeIdentity = {
    get authorityHost() {
      return origin;
    },
    ca: tls.cert,
    managedIdentityEndpoint: "",
    managedIdentityHeader: `mi-header-${randomBytes(6).toString("hex")}`,
    requests,
    issued,
    addApp: (app) => apps.set(app.clientId, app),
    addRefreshToken: (token, details) => refreshTokens.set(token, details),
    managedIdentity: { tokenQueue: [], roles: ["Files.ReadWrite.All", "Sites.Manage.All"], clientIds: [] },
    devicePendingPolls: 1,
    signedInUser: "adele.vance@contoso.onmicrosoft.com",
    refreshDelayMs: 0,
    tokenEndpoint: (tenant) => `${origin}/${tenant}/oauth2/v2.0/token`,
    close: async () => {
      await Promise.all([closeServer(server), closeServer(miServer)]);
    },
  };

  const mint = (claims: Record<string, unknown>): string => {
    const token = fakeJwt(claims);
    issued.push(token);
    return token;
  };
  const take = (queue: string[] | undefined, fallback: () => string): string => {
    const next = queue?.shift();
    if (next === undefined) return fallback();
    issued.push(next);
    return next;
  };
  const newRefreshToken = (details: FakeRefreshToken): string => {
    const token = `rt-${randomBytes(12).toString("hex")}`;
    refreshTokens.set(token, details);
    issued.push(token);
    return token;
  };
  const delegatedTokens = (tenant: string, details: FakeRefreshToken) => {
    const access = take(details.tokenQueue, () =>
      details.opaque
        ? `EwB-opaque-${randomBytes(20).toString("hex")}`
        : mint({
            tid: tenant,
            appid: details.clientId,
            upn: details.user ?? fake.signedInUser,
            scp: details.scope,
          }),
    );
    if (details.opaque) issued.push(access);
    const idToken = mint({ tid: tenant, preferred_username: details.user ?? fake.signedInUser });
    return {
      token_type: "Bearer",
      access_token: access,
      refresh_token: newRefreshToken(details),
      expires_in: 3599,
      scope: details.scope,
      id_token: idToken,
    };
  };

  const server = https.createServer({ key: tls.private, cert: tls.cert }, (req, res) => {
    void handle(req, res).catch((err: unknown) => {
      send(res, 500, { error: "server_error", error_description: String(err) });
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", origin);
    const [, tenant = "", ...rest] = url.pathname.split("/");
    const route = rest.join("/");
    if (req.method === "GET" && route === "v2.0/.well-known/openid-configuration") {
      requests.push({ method: "GET", path: url.pathname });
      send(res, 200, {
        issuer: `${origin}/${tenant}/v2.0`,
        authorization_endpoint: `${origin}/${tenant}/oauth2/v2.0/authorize`,
        token_endpoint: `${origin}/${tenant}/oauth2/v2.0/token`,
        device_authorization_endpoint: `${origin}/${tenant}/oauth2/v2.0/devicecode`,
        jwks_uri: `${origin}/${tenant}/discovery/v2.0/keys`,
        response_types_supported: ["code"],
        subject_types_supported: ["pairwise"],
        id_token_signing_alg_values_supported: ["RS256"],
      });
      return;
    }
    if (req.method === "GET" && route === "oauth2/v2.0/authorize") {
      requests.push({ method: "GET", path: url.pathname });
      const q = url.searchParams;
      const code = `code-${randomBytes(8).toString("hex")}`;
      authCodes.set(code, {
        clientId: q.get("client_id") ?? "",
        scope: q.get("scope") ?? "",
        challenge: q.get("code_challenge") ?? "",
        redirectUri: q.get("redirect_uri") ?? "",
      });
      const target = new URL(q.get("redirect_uri") ?? "http://127.0.0.1/");
      target.searchParams.set("code", code);
      target.searchParams.set("state", q.get("state") ?? "");
      res.writeHead(302, { location: target.toString() }).end();
      return;
    }
    if (req.method !== "POST") {
      send(res, 404, { error: "not_found" });
      return;
    }
    const form = new URLSearchParams(await readBody(req));
    const grantType = form.get("grant_type") ?? undefined;
    const clientId = form.get("client_id") ?? undefined;
    requests.push({
      method: "POST",
      path: url.pathname,
      ...(grantType ? { grantType } : {}),
      ...(clientId ? { clientId } : {}),
    });
    if (route === "oauth2/v2.0/devicecode") {
      const deviceCode = `dc-${randomBytes(8).toString("hex")}`;
      deviceCodes.set(deviceCode, {
        clientId: clientId ?? "",
        scope: form.get("scope") ?? "",
        polls: fake.devicePendingPolls,
      });
      send(res, 200, {
        device_code: deviceCode,
        user_code: "ABCD-1234",
        verification_uri: "https://microsoft.com/devicelogin",
        expires_in: 900,
        interval: 5,
        message:
          "To sign in, use a web browser to open https://microsoft.com/devicelogin and enter ABCD-1234.",
      });
      return;
    }
    if (route !== "oauth2/v2.0/token") {
      send(res, 404, { error: "not_found" });
      return;
    }
    switch (grantType) {
      case "client_credentials": {
        const app = clientId ? apps.get(clientId) : undefined;
        if (!app) {
          send(res, 400, aadError("unauthorized_client", 700016, "Application not found in the directory."));
          return;
        }
        const secret = form.get("client_secret");
        const assertion = form.get("client_assertion");
        const ok =
          (secret !== null && app.secret !== undefined && secret === app.secret) ||
          (assertion !== null && app.federatedToken !== undefined && assertion === app.federatedToken) ||
          (assertion !== null &&
            app.certificatePem !== undefined &&
            assertionSignedBy(assertion, app.certificatePem));
        if (!ok) {
          send(
            res,
            401,
            secret !== null
              ? aadError("invalid_client", 7000215, "Invalid client secret provided.")
              : aadError("invalid_client", 700027, "Client assertion failed signature validation."),
          );
          return;
        }
        const access = take(app.tokenQueue, () =>
          mint({ tid: tenant, appid: app.clientId, roles: app.roles ?? [] }),
        );
        send(res, 200, {
          token_type: "Bearer",
          expires_in: 3599,
          ext_expires_in: 3599,
          access_token: access,
        });
        return;
      }
      case "refresh_token": {
        const token = form.get("refresh_token") ?? "";
        const details = refreshTokens.get(token);
        if (!details) {
          send(res, 400, aadError("invalid_grant", 70008, "The refresh token has expired or is invalid."));
          return;
        }
        if (details.fail) {
          send(res, details.fail.status ?? 400, aadError(details.fail.error, details.fail.code, "Refused."));
          return;
        }
        if (clientId !== details.clientId) {
          send(res, 400, aadError("invalid_grant", 70000, "The refresh token was issued to another client."));
          return;
        }
        // Rotation, as the real platform may do: the old refresh token stops working.
        refreshTokens.delete(token);
        if (fake.refreshDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, fake.refreshDelayMs));
        send(res, 200, delegatedTokens(tenant, details));
        return;
      }
      case "urn:ietf:params:oauth:grant-type:device_code": {
        const entry = deviceCodes.get(form.get("device_code") ?? "");
        if (!entry) {
          send(res, 400, aadError("expired_token", 70020, "The device code expired."));
          return;
        }
        if (entry.polls > 0) {
          entry.polls -= 1;
          send(res, 400, aadError("authorization_pending", 70016, "Pending."));
          return;
        }
        deviceCodes.delete(form.get("device_code") ?? "");
        send(
          res,
          200,
          delegatedTokens(tenant, { clientId: entry.clientId, scope: grantedScope(entry.scope) }),
        );
        return;
      }
      case "authorization_code": {
        const entry = authCodes.get(form.get("code") ?? "");
        const verifier = form.get("code_verifier") ?? "";
        const challenge = createHash("sha256").update(verifier).digest("base64url");
        if (!entry || entry.challenge !== challenge || entry.redirectUri !== form.get("redirect_uri")) {
          send(
            res,
            400,
            aadError("invalid_grant", 501481, "The code_verifier does not match the code_challenge."),
          );
          return;
        }
        authCodes.delete(form.get("code") ?? "");
        send(
          res,
          200,
          delegatedTokens(tenant, { clientId: entry.clientId, scope: grantedScope(entry.scope) }),
        );
        return;
      }
      default:
        send(res, 400, aadError("unsupported_grant_type", 70003, "Unsupported grant type."));
    }
  }

  const miServer = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    requests.push({ method: req.method ?? "GET", path: url.pathname });
    if (req.headers["x-identity-header"] !== fake.managedIdentityHeader) {
      send(res, 401, { error: "unauthorized", error_description: "missing or wrong X-IDENTITY-HEADER" });
      return;
    }
    fake.managedIdentity.clientIds.push(url.searchParams.get("client_id") ?? undefined);
    const access = take(fake.managedIdentity.tokenQueue, () =>
      mint({ tid: FAKE_TENANT, appid: "managed-identity", roles: fake.managedIdentity.roles }),
    );
    send(res, 200, {
      access_token: access,
      expires_on: String(Math.floor(Date.now() / 1000) + 3600),
      resource: url.searchParams.get("resource"),
      token_type: "Bearer",
    });
  });

  origin = `https://127.0.0.1:${await listen(server)}`;
  const miPort = await listen(miServer);
  Object.assign(fake, {
    managedIdentityEndpoint: `http://127.0.0.1:${miPort}/msi/token`,
  });
  return fake;
}

/** A JWT-shaped, unsigned access token with these claims (unique per call), valid for an hour. */
export function fakeJwt(claims: Record<string, unknown>): string {
  const header = Buffer.from(JSON.stringify({ typ: "JWT", alg: "none" })).toString("base64url");
  const payload = Buffer.from(
    JSON.stringify({
      ...claims,
      jti: randomBytes(8).toString("hex"),
      exp: Math.floor(Date.now() / 1000) + 3600,
    }),
  ).toString("base64url");
  return `${header}.${payload}.${randomBytes(16).toString("base64url")}`;
}

/** The scopes the fake grants: what was asked, minus the OpenID ones the platform never lists in `scope`. */
function grantedScope(requested: string): string {
  return requested
    .split(" ")
    .filter((s) => s && !["openid", "profile", "offline_access", "email"].includes(s))
    .join(" ");
}

function assertionSignedBy(assertion: string, certificatePem: string): boolean {
  const [header, payload, signature] = assertion.split(".");
  if (!header || !payload || !signature) return false;
  let alg: unknown;
  try {
    alg = (JSON.parse(Buffer.from(header, "base64url").toString("utf8")) as { alg?: unknown }).alg;
  } catch {
    return false;
  }
  const key = createPublicKey(
    new X509Certificate(certificatePem).publicKey.export({ type: "spki", format: "pem" }),
  );
  const data = Buffer.from(`${header}.${payload}`);
  const sig = Buffer.from(signature, "base64url");
  if (alg === "RS256") return verify("sha256", data, key, sig);
  if (alg === "PS256") {
    return verify("sha256", data, { key, padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength: 32 }, sig);
  }
  return false;
}

function aadError(error: string, code: number, description: string) {
  return {
    error,
    error_description: `AADSTS${code}: ${description} Trace ID: 00000000-0000-0000-0000-000000000000`,
    error_codes: [code],
  };
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function listen(server: http.Server | https.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: http.Server | https.Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
