/**
 * App-only credentials against the fake identity platform over HTTPS (instance discovery disabled because
 * the authority host is not a known cloud), with their tokens then accepted by the Graph emulator.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { generate } from "selfsigned";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthError, createTokenProvider } from "../../../src/auth/index.js";
import { parseAuthConfig } from "../../../src/config/auth.js";
import {
  DEFAULT_DRIVE_IDS,
  DEFAULT_SEED,
  type RunningEmulator,
  startEmulator,
} from "../../../src/emulator/index.js";
import { captureLogs, expectNoSecrets, thrown } from "../../support/authTestKit.js";
import { FAKE_TENANT, type FakeIdentity, fakeJwt, startFakeIdentity } from "../../support/fakeIdentity.js";

const GRAPH = "https://graph.microsoft.com";
const SECRET = `fake-secret-${randomBytes(12).toString("hex")}`;
const WRONG_SECRET = `wrong-secret-${randomBytes(12).toString("hex")}`;
const FEDERATED = `federated-${randomBytes(12).toString("hex")}`;
const FULL = ["Files.ReadWrite.All", "Sites.Manage.All"];

let fake: FakeIdentity;
let emulator: RunningEmulator;
/** Issued by the fake identity platform and accepted by the Graph emulator. */
const uploadTokens = {
  secret: fakeJwt({ tid: FAKE_TENANT, appid: "app-upload-secret", roles: FULL }),
  certificate: fakeJwt({ tid: FAKE_TENANT, appid: "app-upload-cert", roles: FULL }),
};
let certPem: string;
let keyPem: string;
let dir: string;
const logs = captureLogs();

beforeAll(async () => {
  fake = await startFakeIdentity();
  const cert = await generate([{ name: "commonName", value: "graph-mirror-test-app" }], { keySize: 2048 });
  certPem = cert.cert;
  keyPem = cert.private;
  dir = await mkdtemp(path.join(tmpdir(), "gm-auth-app-"));
  fake.addApp({ clientId: "app-secret", secret: SECRET, roles: FULL });
  fake.addApp({ clientId: "app-cert", certificatePem: certPem, roles: ["Files.Read.All"] });
  fake.addApp({ clientId: "app-workload", federatedToken: FEDERATED, roles: FULL });
  fake.addApp({ clientId: "app-upload-secret", secret: SECRET, tokenQueue: [uploadTokens.secret] });
  fake.addApp({
    clientId: "app-upload-cert",
    certificatePem: certPem,
    tokenQueue: [uploadTokens.certificate],
  });
  const [tenant, ...others] = DEFAULT_SEED.tenants;
  if (!tenant) throw new Error("the default seed has no tenant");
  emulator = await startEmulator({
    seed: { tenants: [{ ...tenant, tokens: [...tenant.tokens, ...Object.values(uploadTokens)] }, ...others] },
  });
});

afterAll(async () => {
  expectNoSecrets(logs, [SECRET, WRONG_SECRET, FEDERATED, keyPem.split("\n")[1] ?? "", ...fake.issued]);
  await Promise.all([fake.close(), emulator.close()]);
});

function env(extra: Record<string, string>) {
  return parseAuthConfig(
    { AZURE_TENANT_ID: FAKE_TENANT, AZURE_AUTHORITY_HOST: fake.authorityHost, ...extra },
    { exists: () => false },
  );
}

function tokenRequests(clientId: string): number {
  return fake.requests.filter((r) => r.grantType === "client_credentials" && r.clientId === clientId).length;
}

describe("client secret", () => {
  it("obtains a token, caches it for every consumer of the one provider, and forces a new one after a 401", async () => {
    const config = env({
      AUTH_MODE: "client-secret",
      AZURE_CLIENT_ID: "app-secret",
      AZURE_CLIENT_SECRET: SECRET,
    });
    expect(config.cloud.disableInstanceDiscovery).toBe(true);
    const provider = createTokenProvider(config, { graphRoot: GRAPH, tlsCa: fake.ca, logger: logs.logger });
    const first = await provider.getToken();
    expect(fake.issued).toContain(first);
    expect(
      fake.requests.some((r) => r.path === `/${FAKE_TENANT}/v2.0/.well-known/openid-configuration`),
    ).toBe(true);

    // A second invocation on the same instance uses the same provider: the composition root builds one per
    // process (src/app/services.ts; test/unit/app/services.test.ts checks every consumer gets it).
    const again = provider;
    expect(await again.getToken()).toBe(first);
    expect(tokenRequests("app-secret")).toBe(1);

    // Two jobs hit the same 401 at once: one forced refresh serves both.
    const [forced, alsoForced] = await Promise.all([
      again.getToken({ forceRefresh: true }),
      again.getToken({ forceRefresh: true }),
    ]);
    expect(forced).not.toBe(first);
    expect(alsoForced).toBe(forced);
    expect(tokenRequests("app-secret")).toBe(2);

    const status = await again.status();
    expect(status.capability).toBe("full");
    expect(status.roles).toEqual(FULL);
    expect(status.tenantId).toBe(FAKE_TENANT);
    expect(status.appId).toBe("app-secret");
    expect(status.source).toBe("client secret");
  });

  it("reports a wrong secret with the setting to fix and the AADSTS code, never the secret", async () => {
    const config = env({
      AUTH_MODE: "client-secret",
      AZURE_CLIENT_ID: "app-secret",
      AZURE_CLIENT_SECRET: WRONG_SECRET,
    });
    const provider = createTokenProvider(config, { graphRoot: GRAPH, tlsCa: fake.ca, logger: logs.logger });
    const err = logs.seen(await thrown(() => provider.getToken()));
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).code).toBe("bad-client-credential");
    expect((err as AuthError).message).toContain("AADSTS7000215");
    expect((err as AuthError).message).toContain("set AZURE_CLIENT_SECRET to the secret's Value");
  });
});

describe("client certificate", () => {
  it("obtains a token with a PEM file", async () => {
    const file = path.join(dir, "app.pem");
    await writeFile(file, `${certPem}\n${keyPem}`, { mode: 0o600 });
    const config = env({ AZURE_CLIENT_ID: "app-cert", AZURE_CLIENT_CERTIFICATE_PATH: file });
    expect(config.mode).toBe("client-certificate");
    const provider = createTokenProvider(config, { graphRoot: GRAPH, tlsCa: fake.ca, logger: logs.logger });
    const token = await provider.getToken();
    expect(fake.issued).toContain(token);
    const status = await provider.status();
    expect(status.capability).toBe("read-only");
  });

  it("obtains a token with PEM text", async () => {
    const config = env({
      AZURE_CLIENT_ID: "app-cert",
      AZURE_CLIENT_CERTIFICATE_PEM: `${certPem}\n${keyPem}`,
    });
    const provider = createTokenProvider(config, { graphRoot: GRAPH, tlsCa: fake.ca, logger: logs.logger });
    expect(fake.issued).toContain(await provider.getToken());
  });

  it("refuses a certificate the app does not know, naming the setting", async () => {
    const other = await generate([{ name: "commonName", value: "stranger" }], { keySize: 2048 });
    const config = env({
      AZURE_CLIENT_ID: "app-cert",
      AZURE_CLIENT_CERTIFICATE_PEM: `${other.cert}\n${other.private}`,
    });
    const provider = createTokenProvider(config, { graphRoot: GRAPH, tlsCa: fake.ca, logger: logs.logger });
    const err = logs.seen(await thrown(() => provider.getToken()));
    expect((err as AuthError).code).toBe("bad-client-credential");
    expect(err.message).toContain("AZURE_CLIENT_CERTIFICATE_PEM");
    expect(err.message).not.toContain(other.private.split("\n")[1] ?? "-");
  });
});

describe("workload identity", () => {
  it("exchanges the federated token file for a Graph token", async () => {
    const file = path.join(dir, "federated-token");
    await writeFile(file, FEDERATED);
    const config = env({ AZURE_CLIENT_ID: "app-workload", AZURE_FEDERATED_TOKEN_FILE: file });
    expect(config.mode).toBe("workload-identity");
    const provider = createTokenProvider(config, { graphRoot: GRAPH, tlsCa: fake.ca, logger: logs.logger });
    expect(fake.issued).toContain(await provider.getToken());
  });
});

describe("managed identity", () => {
  it("gets system- and user-assigned tokens from IDENTITY_ENDPOINT, and never repeats a rejected token", async () => {
    // The SDK reads these two from the process environment itself (App Service protocol).
    const saved = { endpoint: process.env.IDENTITY_ENDPOINT, header: process.env.IDENTITY_HEADER };
    process.env.IDENTITY_ENDPOINT = fake.managedIdentityEndpoint;
    process.env.IDENTITY_HEADER = fake.managedIdentityHeader;
    try {
      const system = parseAuthConfig(
        { IDENTITY_ENDPOINT: fake.managedIdentityEndpoint, IDENTITY_HEADER: fake.managedIdentityHeader },
        { exists: () => false },
      );
      expect(system.mode).toBe("managed-identity");
      expect(system.selectedBy).toBe("inferred: IDENTITY_ENDPOINT is set");
      const provider = createTokenProvider(system, { graphRoot: GRAPH, logger: logs.logger });
      const token = await provider.getToken();
      expect(fake.issued).toContain(token);
      expect((await provider.status()).capability).toBe("full");

      // The platform caches managed identity tokens: a forced refresh that yields the same token fails
      // with the reason instead of handing Graph the token it just rejected.
      const err = logs.seen(await thrown(() => provider.getToken({ forceRefresh: true })));
      expect(err.message).toContain("issued the same one again");

      const user = parseAuthConfig(
        { AUTH_MODE: "managed-identity", AZURE_MANAGED_IDENTITY_CLIENT_ID: "uami-client-id" },
        { exists: () => false },
      );
      const userProvider = createTokenProvider(user, { graphRoot: GRAPH, logger: logs.logger });
      expect(fake.issued).toContain(await userProvider.getToken());
      expect(fake.managedIdentity.clientIds).toContain("uami-client-id");
      expect((await userProvider.status()).source).toBe("managed identity (user-assigned)");
    } finally {
      restore("IDENTITY_ENDPOINT", saved.endpoint);
      restore("IDENTITY_HEADER", saved.header);
    }
  });
});

describe("uploads with app-only tokens", () => {
  it.each([
    ["client secret", "app-upload-secret", { AZURE_CLIENT_SECRET: SECRET }],
    ["client certificate", "app-upload-cert", {}],
  ])("the Graph emulator accepts a %s token", async (kind, clientId, settings: Record<string, string>) => {
    const extra: Record<string, string> =
      kind === "client certificate" ? { AZURE_CLIENT_CERTIFICATE_PEM: `${certPem}\n${keyPem}` } : settings;
    const provider = createTokenProvider(env({ AZURE_CLIENT_ID: clientId, ...extra }), {
      graphRoot: GRAPH,
      tlsCa: fake.ca,
      logger: logs.logger,
    });
    const token = await provider.getToken();
    const body = `uploaded with a ${kind} token`;
    const name = kind.replace(" ", "-");
    const response = await fetch(
      `${emulator.graphBaseUrl}/drives/${DEFAULT_DRIVE_IDS.opsDocuments}/root:/${name}.txt:/content`,
      {
        method: "PUT",
        headers: { authorization: `Bearer ${token}`, "content-type": "text/plain" },
        body,
        signal: AbortSignal.timeout(10_000),
      },
    );
    expect(response.status).toBe(201);
    const stored = emulator.inspect.readItem(DEFAULT_DRIVE_IDS.opsDocuments, `/${name}.txt`);
    expect(stored?.toString("utf8")).toBe(body);
  });
});

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
