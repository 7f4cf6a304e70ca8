import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  AUTH_SETTING_NAMES,
  DEFAULT_LOGIN_SCOPES,
  graphRootFor,
  parseAuthConfig,
} from "../../../src/config/auth.js";
import { ConfigError } from "../../../src/core/shared/validationError.js";

const nothingExists = { exists: () => false };
const parse = (env: Record<string, string>) => parseAuthConfig(env, nothingExists);
const SECRET = "s3cr3t-value-never-echoed";

function problems(env: Record<string, string>): string {
  try {
    parse(env);
  } catch (err: unknown) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message;
  }
  throw new Error("expected a ConfigError");
}

describe("mode selection", () => {
  it("infers each mode from the setting that names it, and says why", () => {
    expect(parse({ GRAPH_ACCESS_TOKEN: "t0ken" })).toMatchObject({
      mode: "static-token",
      selectedBy: "inferred: GRAPH_ACCESS_TOKEN is set",
    });
    expect(parse({ AZURE_TENANT_ID: "t", AZURE_CLIENT_ID: "c", AZURE_CLIENT_SECRET: SECRET })).toMatchObject({
      mode: "client-secret",
      tenantId: "t",
      clientId: "c",
    });
    expect(
      parse({ AZURE_TENANT_ID: "t", AZURE_CLIENT_ID: "c", AZURE_CLIENT_CERTIFICATE_PATH: "/c.pem" }),
    ).toMatchObject({
      mode: "client-certificate",
      certificate: { path: "/c.pem" },
      sendCertificateChain: false,
    });
    expect(
      parse({ AZURE_TENANT_ID: "t", AZURE_CLIENT_ID: "c", AZURE_FEDERATED_TOKEN_FILE: "/f" }),
    ).toMatchObject({
      mode: "workload-identity",
      tokenFilePath: "/f",
    });
    expect(parse({ TOKEN_FILE: "/x/token.json" })).toMatchObject({
      mode: "delegated",
      tokenFile: "/x/token.json",
    });
    expect(parse({ IDENTITY_ENDPOINT: "http://127.0.0.1:41000/msi/token" })).toMatchObject({
      mode: "managed-identity",
      selectedBy: "inferred: IDENTITY_ENDPOINT is set",
    });
    expect(parse({})).toMatchObject({ mode: "none" });
  });

  it("uses AUTH_MODE when given, and rejects an unknown one", () => {
    expect(parse({ AUTH_MODE: "managed-identity", AZURE_CLIENT_ID: "uami" })).toMatchObject({
      mode: "managed-identity",
      clientId: "uami",
      selectedBy: "AUTH_MODE=managed-identity",
    });
    expect(
      parse({
        AUTH_MODE: "managed-identity",
        AZURE_CLIENT_ID: "x",
        AZURE_MANAGED_IDENTITY_CLIENT_ID: "uami",
      }),
    ).toMatchObject({ clientId: "uami" });
    expect(problems({ AUTH_MODE: "device-code" })).toContain(
      "AUTH_MODE: must be one of client-secret, client-certificate, managed-identity, workload-identity, static-token, delegated",
    );
  });

  it("refuses to pick between two credentials silently", () => {
    const message = problems({ GRAPH_ACCESS_TOKEN: "t0ken", AZURE_CLIENT_SECRET: SECRET });
    expect(message).toContain("AUTH_MODE: must be set when settings for more than one authentication mode");
    expect(message).toContain("GRAPH_ACCESS_TOKEN -> static-token");
    expect(message).not.toContain(SECRET);
  });

  it("infers delegated from a token.json or rclone.conf in the default places", () => {
    const home = "/home/ada";
    const token = path.join(home, ".config", "graph-mirror", "token.json");
    expect(parseAuthConfig({ HOME: home }, { exists: (f) => f === token })).toMatchObject({
      mode: "delegated",
      selectedBy: `inferred: ${token} exists`,
      tokenFile: token,
    });
    const rclone = path.join("/xdg", "rclone", "rclone.conf");
    const config = parseAuthConfig({ HOME: home, XDG_CONFIG_HOME: "/xdg" }, { exists: (f) => f === rclone });
    expect(config).toMatchObject({
      mode: "delegated",
      tokenFile: path.join("/xdg", "graph-mirror", "token.json"),
    });
    if (config.mode !== "delegated") throw new Error("unreachable");
    expect(config.rclone.configCandidates).toEqual([
      path.join(home, ".rclone.conf"),
      rclone,
      path.join(home, ".config", "rclone", "rclone.conf"),
    ]);
    expect(config.loginScopes).toEqual(DEFAULT_LOGIN_SCOPES);
  });

  it("reads the delegated settings", () => {
    const config = parse({
      AUTH_MODE: "delegated",
      TOKEN_FILE: "/t.json",
      RCLONE_CONFIG: "/r.conf",
      RCLONE_REMOTE: "od:",
      RCLONE_CONFIG_PASS: " pass with spaces ",
      AZURE_CLIENT_ID: "pc",
      AUTH_LOGIN_SCOPES: "Files.ReadWrite.All, offline_access",
    });
    expect(config).toMatchObject({
      mode: "delegated",
      clientId: "pc",
      rclone: {
        configCandidates: ["/r.conf"],
        explicitConfig: true,
        remote: "od",
        password: " pass with spaces ",
      },
      loginScopes: ["Files.ReadWrite.All", "offline_access"],
    });
  });
});

describe("validation names the setting and the rule, never the value", () => {
  it("lists every missing setting of a mode", () => {
    const message = problems({ AUTH_MODE: "client-secret", AZURE_CLIENT_SECRET: SECRET });
    expect(message).toContain("AZURE_TENANT_ID: is required for client-secret authentication");
    expect(message).toContain("AZURE_CLIENT_ID: is required for client-secret authentication");
    expect(message).not.toContain(SECRET);
    expect(
      problems({ AUTH_MODE: "workload-identity", AZURE_TENANT_ID: "t", AZURE_CLIENT_ID: "c" }),
    ).toContain("AZURE_FEDERATED_TOKEN_FILE: is required for workload-identity authentication");
  });

  it("says PFX must be converted, and how", () => {
    const message = problems({
      AZURE_TENANT_ID: "t",
      AZURE_CLIENT_ID: "c",
      AZURE_CLIENT_CERTIFICATE_PATH: "/a.pfx",
    });
    expect(message).toContain("AZURE_CLIENT_CERTIFICATE_PATH: must be a PEM file");
    expect(message).toContain("openssl pkcs12 -in cert.pfx -out cert.pem -nodes");
  });

  it("checks PEM text and refuses both certificate settings at once", () => {
    expect(
      problems({ AZURE_TENANT_ID: "t", AZURE_CLIENT_ID: "c", AZURE_CLIENT_CERTIFICATE_PEM: "MIIB..." }),
    ).toContain(
      "AZURE_CLIENT_CERTIFICATE_PEM: must hold PEM text with both the certificate and its private key",
    );
    expect(
      problems({
        AZURE_TENANT_ID: "t",
        AZURE_CLIENT_ID: "c",
        AZURE_CLIENT_CERTIFICATE_PATH: "/a.pem",
        AZURE_CLIENT_CERTIFICATE_PEM: "-----BEGIN CERTIFICATE-----",
      }),
    ).toContain("must not be set together with AZURE_CLIENT_CERTIFICATE_PATH");
    expect(
      problems({
        AUTH_MODE: "client-certificate",
        AZURE_TENANT_ID: "t",
        AZURE_CLIENT_ID: "c",
        AZURE_CLIENT_CERTIFICATE_PATH: "/a.pem",
        AZURE_CLIENT_SEND_CERTIFICATE_CHAIN: "maybe",
      }),
    ).toContain("AZURE_CLIENT_SEND_CERTIFICATE_CHAIN: must be true or false");
  });

  it.each(AUTH_SETTING_NAMES)("detects an unresolved Key Vault reference in %s", (name) => {
    const reference = "@Microsoft.KeyVault(SecretUri=https://vault.vault.azure.net/secrets/graph/)";
    const message = problems({
      AZURE_TENANT_ID: "t",
      AZURE_CLIENT_ID: "c",
      AZURE_CLIENT_SECRET: SECRET,
      [name]: reference,
    });
    expect(message).toContain(`${name}: is an unresolved Key Vault reference`);
    expect(message).toContain("Key Vault Secrets User");
    expect(message).not.toContain("vault.vault.azure.net");
  });
});

describe("national clouds", () => {
  it.each([
    ["global", "https://graph.microsoft.com", "https://login.microsoftonline.com"],
    ["usgov", "https://graph.microsoft.us", "https://login.microsoftonline.us"],
    ["usgovdod", "https://dod-graph.microsoft.us", "https://login.microsoftonline.us"],
    ["china", "https://microsoftgraph.chinacloudapi.cn", "https://login.chinacloudapi.cn"],
  ])(
    "GRAPH_CLOUD=%s sets the Graph root and login authority as a pair",
    (cloud, graphRoot, authorityHost) => {
      const config = parse({ GRAPH_CLOUD: cloud, GRAPH_ACCESS_TOKEN: "t0ken" });
      expect(config.cloud).toEqual({
        name: cloud,
        graphRoot,
        authorityHost,
        disableInstanceDiscovery: false,
      });
      expect(graphRootFor(config)).toBe(graphRoot);
    },
  );

  it("lets AZURE_AUTHORITY_HOST and GRAPH_BASE_URL override, disabling instance discovery for unknown hosts", () => {
    const config = parse({
      GRAPH_CLOUD: "usgov",
      AZURE_AUTHORITY_HOST: "https://login.example.test/",
      GRAPH_BASE_URL: "http://127.0.0.1:8123/v1.0",
      GRAPH_ACCESS_TOKEN: "t0ken",
    });
    expect(config.cloud).toEqual({
      name: "usgov",
      graphRoot: "http://127.0.0.1:8123",
      authorityHost: "https://login.example.test",
      disableInstanceDiscovery: true,
    });
    expect(
      parse({ AZURE_AUTHORITY_HOST: "https://login.microsoftonline.us", GRAPH_ACCESS_TOKEN: "t" }).cloud
        .disableInstanceDiscovery,
    ).toBe(false);
  });

  it("rejects an unknown cloud and a non-https authority", () => {
    expect(problems({ GRAPH_CLOUD: "germany" })).toContain(
      "GRAPH_CLOUD: must be one of global, usgov, usgovdod, china",
    );
    expect(problems({ AZURE_AUTHORITY_HOST: "http://login.example.test" })).toContain(
      "AZURE_AUTHORITY_HOST: must be an https URL with no path",
    );
  });
});
