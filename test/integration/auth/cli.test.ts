/**
 * `graph-mirror login` (device code and browser + PKCE) and `graph-mirror auth status` against the fake
 * identity platform. Output is scanned for every token the fake issued: none may be printed.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import https from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authStatusCommand } from "../../../src/cli/commands/auth.js";
import { loginCommand } from "../../../src/cli/commands/login.js";
import { ConfigError } from "../../../src/core/shared/validationError.js";
import { captureLogs, expectNoSecrets, thrown } from "../../support/authTestKit.js";
import { FAKE_TENANT, type FakeIdentity, startFakeIdentity } from "../../support/fakeIdentity.js";

const CLIENT = "cli-public-client";
const SECRET = `cli-secret-${randomBytes(8).toString("hex")}`;

let fake: FakeIdentity;
let root: string;
const output = captureLogs();

beforeAll(async () => {
  fake = await startFakeIdentity();
  fake.addApp({ clientId: "cli-app", secret: SECRET, roles: ["Files.Read.All"] });
  root = await mkdtemp(path.join(tmpdir(), "gm-auth-cli-"));
});

afterAll(async () => {
  expectNoSecrets(output, [SECRET, ...fake.issued]);
  await fake.close();
});

function io(env: Record<string, string>) {
  let stdout = "";
  let stderr = "";
  return {
    io: {
      env: { AZURE_AUTHORITY_HOST: fake.authorityHost, ...env },
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      tlsCa: fake.ca,
    },
    out: () => stdout,
    err: () => stderr,
    record: () => output.messages.push(stdout, stderr),
  };
}

describe("graph-mirror login", () => {
  it("signs in with a device code, polling until approved, and saves token.json with mode 0600", async () => {
    const tokenFile = path.join(root, "device", "token.json");
    fake.devicePendingPolls = 2;
    const waits: number[] = [];
    const run = io({ AZURE_CLIENT_ID: CLIENT, AZURE_TENANT_ID: FAKE_TENANT, TOKEN_FILE: tokenFile });
    const code = await loginCommand({}, { ...run.io, sleep: async (ms) => void waits.push(ms) });
    run.record();
    expect(code).toBe(0);
    expect(waits).toEqual([5000, 5000, 5000]);
    expect(run.err()).toContain("enter ABCD-1234");
    expect(run.out()).toContain("Signed in as adele.vance@contoso.onmicrosoft.com");
    expect(run.out()).toContain("Capability: full");
    expect((await stat(tokenFile)).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(await readFile(tokenFile, "utf8")) as Record<string, string>;
    expect(saved.client_id).toBe(CLIENT);
    expect(saved.scope).toBe("Files.ReadWrite.All Sites.Manage.All User.Read");
    expect(saved.token_endpoint).toBe(fake.tokenEndpoint(FAKE_TENANT));
    expect(fake.issued).toContain(saved.refresh_token);
  });

  it("signs in in a browser with PKCE and a loopback redirect", async () => {
    const tokenFile = path.join(root, "browser", "token.json");
    const run = io({ AZURE_CLIENT_ID: CLIENT, TOKEN_FILE: tokenFile });
    const code = await loginCommand(
      { browser: true, scopes: "Files.Read.All offline_access" },
      { ...run.io, openBrowser: (url) => followSignIn(url) },
    );
    run.record();
    expect(code).toBe(1);
    expect(run.out()).toContain("Capability: read-only");
    const saved = JSON.parse(await readFile(tokenFile, "utf8")) as Record<string, string>;
    expect(saved.scope).toBe("Files.Read.All");
    expect(saved.token_endpoint).toBe(fake.tokenEndpoint("common"));
  });

  it("reads its settings through the root's loadConfig: a bad setting of any area stops it first", async () => {
    const run = io({
      AZURE_CLIENT_ID: CLIENT,
      CHUNK_SIZE: "abc",
      TOKEN_FILE: path.join(root, "x", "token.json"),
    });
    const before = fake.requests.length;
    const err = output.seen(await thrown(() => loginCommand({}, run.io)));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain("CHUNK_SIZE");
    expect(fake.requests.length).toBe(before);
  });

  it("asks for a client id by its setting name", async () => {
    const run = io({ TOKEN_FILE: path.join(root, "none", "token.json") });
    const err = output.seen(await thrown(() => loginCommand({}, run.io)));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain("AZURE_CLIENT_ID: is required for `graph-mirror login`");
  });
});

describe("graph-mirror auth status", () => {
  it("explains a refreshed token.json, logging decisions with --verbose and never a token", async () => {
    const tokenFile = path.join(root, "status", "token.json");
    const refresh = `rt-status-${randomBytes(8).toString("hex")}`;
    fake.issued.push(refresh);
    fake.addRefreshToken(refresh, { clientId: CLIENT, scope: "Files.ReadWrite.All Sites.Manage.All" });
    const { mkdir } = await import("node:fs/promises");
    await mkdir(path.dirname(tokenFile), { recursive: true });
    const stale = `stale-${randomBytes(8).toString("hex")}`;
    fake.issued.push(stale);
    await writeFile(
      tokenFile,
      JSON.stringify({
        access_token: stale,
        refresh_token: refresh,
        expires_at: "2021-05-01T10:00:00.5+02:00",
        client_id: CLIENT,
        token_endpoint: fake.tokenEndpoint(FAKE_TENANT),
      }),
    );
    const run = io({ TOKEN_FILE: tokenFile, RCLONE_CONFIG: path.join(root, "status", "absent.conf") });
    const code = await authStatusCommand({ verbose: true }, run.io);
    run.record();
    expect(code).toBe(0);
    expect(run.out()).toContain(`Source:      token.json (${tokenFile})`);
    expect(run.out()).toContain("Selected by: inferred: TOKEN_FILE is set");
    expect(run.out()).toContain(`Tenant:      ${FAKE_TENANT}`);
    expect(run.out()).toContain("User:        adele.vance@contoso.onmicrosoft.com");
    expect(run.out()).toContain("Capability:  full");
    const events = run
      .err()
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { event: string });
    expect(events.map((e) => e.event)).toEqual(
      expect.arrayContaining([
        "auth.mode",
        "auth.source-tried",
        "auth.refresh",
        "auth.saved",
        "auth.source-selected",
      ]),
    );
  });

  it("reads its settings through the root's loadConfig: a bad setting of any area is named", async () => {
    const run = io({ AZURE_TENANT_ID: FAKE_TENANT, AZURE_CLIENT_ID: "cli-app", AZURE_CLIENT_SECRET: SECRET });
    const bad = { ...run.io, env: { ...run.io.env, GRAPH_REQUEST_TIMEOUT_MS: "soon" } };
    const before = fake.requests.length;
    const err = output.seen(await thrown(() => authStatusCommand({}, bad)));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain("GRAPH_REQUEST_TIMEOUT_MS");
    expect(run.out()).toBe("");
    expect(fake.requests.length).toBe(before);
  });

  it("shows app-only roles and guidance as JSON, exiting 1 for a read-only token", async () => {
    const run = io({ AZURE_TENANT_ID: FAKE_TENANT, AZURE_CLIENT_ID: "cli-app", AZURE_CLIENT_SECRET: SECRET });
    const code = await authStatusCommand({ json: true }, run.io);
    run.record();
    expect(code).toBe(1);
    const status = JSON.parse(run.out()) as Record<string, unknown>;
    expect(status).toMatchObject({
      source: "client secret",
      selectedBy: "inferred: AZURE_CLIENT_SECRET is set",
      kind: "application",
      appId: "cli-app",
      capability: "read-only",
      roles: ["Files.Read.All"],
    });
    expect(String(status.guidance)).toContain("grant admin consent");
  });
});

/** Plays the person in the browser: follow the authorize URL to the loopback redirect. */
async function followSignIn(authorizeUrl: string): Promise<void> {
  const location = await new Promise<string>((resolve, reject) => {
    https
      .get(authorizeUrl, { ca: fake.ca, signal: AbortSignal.timeout(10_000) }, (res) => {
        res.resume();
        resolve(res.headers.location ?? "");
      })
      .on("error", reject);
  });
  // The redirect names localhost, as registered; the loopback server listens on 127.0.0.1.
  const response = await fetch(location.replace("//localhost:", "//127.0.0.1:"), {
    signal: AbortSignal.timeout(10_000),
  });
  expect(await response.text()).toContain("Signed in");
}
