/**
 * Delegated tokens: token.json first, rclone.conf as fallback, refreshed against the fake identity platform
 * over HTTPS. Real files, real locks, real child processes for the concurrency case.
 */
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import nacl from "tweetnacl";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthError, assertWriteAllowed, createTokenProvider } from "../../../src/auth/index.js";
import { parseAuthConfig } from "../../../src/config/auth.js";
import { captureLogs, expectNoSecrets, thrown } from "../../support/authTestKit.js";
import { FAKE_TENANT, type FakeIdentity, startFakeIdentity } from "../../support/fakeIdentity.js";

const GRAPH = "https://graph.microsoft.com";
const CLIENT = "public-client-id";
const RCLONE_CLIENT = "rclone-own-app";
const RCLONE_SECRET = `rclone-secret-${randomBytes(8).toString("hex")}`;
const PASSWORD = `pässword-${randomBytes(4).toString("hex")}`;
const FULL_SCOPE = "Files.ReadWrite.All Sites.Manage.All User.Read";
const HOUR = 3600_000;

let fake: FakeIdentity;
let root: string;
const logs = captureLogs();
const secrets: string[] = [RCLONE_SECRET, PASSWORD];

beforeAll(async () => {
  fake = await startFakeIdentity();
  root = await mkdtemp(path.join(tmpdir(), "gm-auth-delegated-"));
});

afterAll(async () => {
  expectNoSecrets(logs, [...secrets, ...fake.issued]);
  await fake.close();
});

function secret(prefix: string): string {
  const value = `${prefix}-${randomBytes(10).toString("hex")}`;
  secrets.push(value);
  return value;
}

async function workspace(name: string) {
  const dir = await mkdtemp(path.join(root, `${name}-`));
  const tokenFile = path.join(dir, "graph-mirror", "token.json");
  const rcloneFile = path.join(dir, "rclone.conf");
  const config = (extra: Record<string, string> = {}) =>
    parseAuthConfig(
      {
        AUTH_MODE: "delegated",
        TOKEN_FILE: tokenFile,
        RCLONE_CONFIG: rcloneFile,
        AZURE_AUTHORITY_HOST: fake.authorityHost,
        ...extra,
      },
      { exists: () => false },
    );
  const provider = (extra: Record<string, string> = {}) =>
    createTokenProvider(config(extra), { graphRoot: GRAPH, tlsCa: fake.ca, logger: logs.logger });
  return { dir, tokenFile, rcloneFile, provider };
}

async function writeTokenJson(file: string, body: Record<string, unknown>, mode = 0o600): Promise<void> {
  const { mkdir } = await import("node:fs/promises");
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(body), { mode });
}

function rcloneConf(remote: string, token: Record<string, unknown>, extra = ""): string {
  return [
    "[local]",
    "type = local",
    "",
    `[${remote}]`,
    "type = onedrive",
    `client_id = ${RCLONE_CLIENT}`,
    `client_secret = ${RCLONE_SECRET}`,
    `token_url = ${fake.tokenEndpoint(FAKE_TENANT)}`,
    `token = ${JSON.stringify(token)}`,
    "drive_id = b!abc",
    "drive_type = business",
    extra,
    "",
  ].join("\n");
}

/** rclone's config encryption (fs/config/crypt.go), written independently of src/ to check interop. */
function encryptLikeRclone(plain: string, password: string): string {
  const key = createHash("sha256")
    .update(`[${password.normalize("NFKC")}][rclone-config]`)
    .digest();
  const nonce = nacl.randomBytes(24);
  const box = nacl.secretbox(new TextEncoder().encode(plain), nonce, new Uint8Array(key));
  const data = Buffer.concat([Buffer.from(nonce), Buffer.from(box)]).toString("base64");
  return `# Encrypted rclone configuration File\n\nRCLONE_ENCRYPT_V0:\n${data.replace(/(.{64})/g, "$1\n")}\n`;
}

function refreshes(clientId: string): number {
  return fake.requests.filter((r) => r.grantType === "refresh_token" && r.clientId === clientId).length;
}

describe("token.json", () => {
  it("uses a valid token without calling the identity platform", async () => {
    const ws = await workspace("valid");
    const access = secret("valid-access");
    await writeTokenJson(ws.tokenFile, {
      access_token: access,
      refresh_token: secret("valid-refresh"),
      expires_at: new Date(Date.now() + HOUR).toISOString(),
      scope: FULL_SCOPE,
      client_id: CLIENT,
    });
    const before = fake.requests.length;
    const provider = ws.provider();
    expect(await provider.getToken()).toBe(access);
    expect(fake.requests.length).toBe(before);
    const status = await provider.status();
    expect(status.capability).toBe("full");
    expect(status.source).toBe(`token.json (${ws.tokenFile})`);
    expect(status.selectedBy).toBe("AUTH_MODE=delegated");
  });

  it("refreshes an expired token, saves it with mode 0600 even if it was 0644, and keeps unknown fields", async () => {
    const ws = await workspace("expired");
    const refresh = secret("expired-refresh");
    fake.addRefreshToken(refresh, { clientId: CLIENT, scope: FULL_SCOPE });
    await writeTokenJson(
      ws.tokenFile,
      {
        access_token: secret("expired-access"),
        refresh_token: refresh,
        expiry: Math.floor((Date.now() - HOUR) / 1000),
        scope: FULL_SCOPE,
        client_id: CLIENT,
        token_endpoint: fake.tokenEndpoint(FAKE_TENANT),
        user: "adele.vance@contoso.onmicrosoft.com",
      },
      0o644,
    );
    expect((await stat(ws.tokenFile)).mode & 0o777).toBe(0o644);
    const provider = ws.provider();
    const token = await provider.getToken();
    expect(fake.issued).toContain(token);
    expect((await stat(ws.tokenFile)).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(await readFile(ws.tokenFile, "utf8")) as Record<string, string>;
    expect(saved.access_token).toBe(token);
    expect(saved.refresh_token).not.toBe(refresh);
    expect(fake.issued).toContain(saved.refresh_token);
    expect(Date.parse(saved.expires_at ?? "")).toBeGreaterThan(Date.now() + 30 * 60_000);
    expect(saved.user).toBe("adele.vance@contoso.onmicrosoft.com");
    expect(saved.client_id).toBe(CLIENT);
    // The saved token is used from now on: no second refresh.
    const count = refreshes(CLIENT);
    expect(await ws.provider().getToken()).toBe(token);
    expect(refreshes(CLIENT)).toBe(count);
  });

  it("after a Graph 401 refreshes even a token that looks valid, and never returns the rejected one", async () => {
    const ws = await workspace("forced");
    const refresh = secret("forced-refresh");
    fake.addRefreshToken(refresh, { clientId: CLIENT, scope: FULL_SCOPE });
    const rejected = secret("forced-rejected-access");
    await writeTokenJson(ws.tokenFile, {
      access_token: rejected,
      refresh_token: refresh,
      expires_at: new Date(Date.now() + HOUR).toISOString(),
      scope: FULL_SCOPE,
      client_id: CLIENT,
      token_endpoint: fake.tokenEndpoint(FAKE_TENANT),
    });
    const provider = ws.provider();
    expect(await provider.getToken()).toBe(rejected);
    const [first, second] = await Promise.all([
      provider.getToken({ forceRefresh: true }),
      provider.getToken({ forceRefresh: true }),
    ]);
    expect(first).not.toBe(rejected);
    expect(second).toBe(first);
    const saved = JSON.parse(await readFile(ws.tokenFile, "utf8")) as Record<string, string>;
    expect(saved.access_token).toBe(first);
  });

  it("falls back to rclone.conf when the refresh fails, says why, and does not retry a dead refresh token", async () => {
    const ws = await workspace("fallback");
    const dead = secret("dead-refresh");
    fake.addRefreshToken(dead, {
      clientId: CLIENT,
      scope: FULL_SCOPE,
      fail: { error: "invalid_grant", code: 700082 },
    });
    await writeTokenJson(ws.tokenFile, {
      access_token: secret("old-access"),
      refresh_token: dead,
      expires_at: "2020-01-01T00:00:00Z",
      client_id: CLIENT,
      token_endpoint: fake.tokenEndpoint(FAKE_TENANT),
    });
    const rcloneAccess = secret("rclone-valid-access");
    await writeFile(
      ws.rcloneFile,
      rcloneConf("od", {
        access_token: rcloneAccess,
        token_type: "Bearer",
        refresh_token: secret("rclone-refresh"),
        expiry: new Date(Date.now() + HOUR).toISOString().replace("Z", "123456+00:00"),
      }),
    );
    const provider = ws.provider();
    expect(await provider.getToken()).toBe(rcloneAccess);
    const status = await provider.status();
    expect(status.source).toBe(`rclone remote "od" (${ws.rcloneFile})`);
    expect(status.notes.join(" ")).toContain("the refresh token expired (AADSTS700082)");
    expect(status.notes.join(" ")).toContain("sign in again with `graph-mirror login`");
    expect(logs.events.some((e) => e.event === "auth.source-skipped" && e.source === "token.json")).toBe(
      true,
    );

    const count = refreshes(CLIENT);
    expect(
      await provider.getToken({ forceRefresh: true }).catch((err: unknown) => logs.seen(err)),
    ).toBeInstanceOf(AuthError);
    expect(refreshes(CLIENT)).toBe(count);
  });

  it("fails with 'sign in again' when every source is exhausted", async () => {
    const ws = await workspace("exhausted");
    const revoked = secret("revoked-refresh");
    fake.addRefreshToken(revoked, {
      clientId: CLIENT,
      scope: FULL_SCOPE,
      fail: { error: "invalid_grant", code: 50173 },
    });
    await writeTokenJson(ws.tokenFile, {
      access_token: secret("revoked-access"),
      refresh_token: revoked,
      expires_at: "2020-01-01T00:00:00+02:00",
      client_id: CLIENT,
      token_endpoint: fake.tokenEndpoint(FAKE_TENANT),
    });
    const err = logs.seen(await thrown(() => ws.provider().getToken()));
    expect((err as AuthError).code).toBe("sign-in-required");
    expect(err.message).toContain(
      "the refresh token was revoked (password change or sign-out) (AADSTS50173)",
    );
    expect(err.message).toContain("no rclone config found");
    expect(err.message).toContain("sign in again with `graph-mirror login`");
  });

  it("leaves a valid file when two processes refresh at the same time", async () => {
    const ws = await workspace("concurrent");
    const refresh = secret("shared-refresh");
    fake.addRefreshToken(refresh, { clientId: CLIENT, scope: FULL_SCOPE });
    await writeTokenJson(ws.tokenFile, {
      access_token: secret("shared-old-access"),
      refresh_token: refresh,
      expires_at: "2020-01-01T00:00:00.000000001Z",
      scope: FULL_SCOPE,
      client_id: CLIENT,
      token_endpoint: fake.tokenEndpoint(FAKE_TENANT),
    });
    const caFile = path.join(ws.dir, "ca.pem");
    await writeFile(caFile, fake.ca);
    // Hold each refresh answer a little, so the second process surely arrives while the first refreshes.
    fake.refreshDelayMs = 300;
    const before = refreshes(CLIENT);
    let results: WorkerResult[];
    try {
      results = await runWorkersTogether(2, [ws.tokenFile, caFile, fake.authorityHost]);
    } finally {
      fake.refreshDelayMs = 0;
    }
    for (const result of results) expect(result, JSON.stringify(result)).toMatchObject({ ok: true });
    // The refresh token rotates on use: only one refresh can have succeeded, and both got its token.
    expect(refreshes(CLIENT) - before).toBe(1);
    expect(results[0]?.digest).toBe(results[1]?.digest);
    // The file holds exactly the token both processes use, and it parses as a token.json.
    const saved = JSON.parse(await readFile(ws.tokenFile, "utf8")) as Record<string, string>;
    expect(fake.issued).toContain(saved.access_token);
    expect(
      createHash("sha256")
        .update(saved.access_token ?? "")
        .digest("hex"),
    ).toBe(results[0]?.digest);
    expect((await stat(ws.tokenFile)).mode & 0o777).toBe(0o600);
  });
});

describe("rclone.conf", () => {
  it("uses a valid token from the first onedrive remote (RFC 3339 with nanoseconds and an offset)", async () => {
    const ws = await workspace("rclone-valid");
    const access = secret("rclone-access");
    const expiry = new Date(Date.now() + HOUR);
    const local = new Date(expiry.getTime() + 2 * HOUR).toISOString().replace("Z", "");
    await writeFile(
      ws.rcloneFile,
      rcloneConf("personal", {
        access_token: access,
        token_type: "Bearer",
        refresh_token: secret("rclone-refresh-valid"),
        expiry: `${local.slice(0, 19)}.123456789+02:00`,
      }),
    );
    const provider = ws.provider();
    expect(await provider.getToken()).toBe(access);
    const status = await provider.status();
    expect(Math.abs((status.expiresAt ?? 0) - expiry.getTime())).toBeLessThan(1000);
    // rclone stores no scope and personal tokens are opaque: say so and let the first call decide.
    expect(status.capability).toBe("unknown");
    await expect(assertWriteAllowed(provider)).resolves.toBeUndefined();
  });

  it("refreshes an expired token in memory only: rclone.conf keeps every byte", async () => {
    const ws = await workspace("rclone-refresh");
    const refresh = secret("rclone-refresh-expired");
    fake.addRefreshToken(refresh, {
      clientId: RCLONE_CLIENT,
      scope: "Files.Read Files.ReadWrite Files.ReadWrite.All",
      opaque: true,
    });
    const text = rcloneConf("od", {
      access_token: secret("rclone-expired-access"),
      token_type: "Bearer",
      refresh_token: refresh,
      expiry: Math.floor((Date.now() - HOUR) / 1000),
    });
    await writeFile(ws.rcloneFile, text);
    const before = await readFile(ws.rcloneFile);
    const provider = ws.provider({ RCLONE_REMOTE: "od:" });
    const token = await provider.getToken();
    expect(fake.issued).toContain(token);
    const count = refreshes(RCLONE_CLIENT);
    // The next use of the process's one provider (src/app/services.ts) reuses the refreshed token from memory.
    expect(await provider.getToken()).toBe(token);
    expect(refreshes(RCLONE_CLIENT)).toBe(count);
    expect((await readFile(ws.rcloneFile)).equals(before)).toBe(true);
    expect(logs.events.some((e) => e.event === "auth.refreshed-in-memory")).toBe(true);
  });

  it("opens an encrypted config with RCLONE_CONFIG_PASS, and says that variable is needed when it is missing", async () => {
    const ws = await workspace("rclone-encrypted");
    const access = secret("rclone-encrypted-access");
    await writeFile(
      ws.rcloneFile,
      encryptLikeRclone(
        rcloneConf("od", {
          access_token: access,
          token_type: "Bearer",
          expiry: new Date(Date.now() + HOUR).toISOString(),
        }),
        PASSWORD,
      ),
    );
    expect(await ws.provider({ RCLONE_CONFIG_PASS: PASSWORD }).getToken()).toBe(access);

    const missing = logs.seen(await thrown(() => ws.provider({ RCLONE_REMOTE: "od" }).getToken()));
    expect(missing.message).toContain("is encrypted: set RCLONE_CONFIG_PASS");
    const wrong = logs.seen(
      await thrown(() => ws.provider({ RCLONE_CONFIG_PASS: "not-it", RCLONE_REMOTE: "od" }).getToken()),
    );
    expect(wrong.message).toContain("RCLONE_CONFIG_PASS is not its configuration password");
  });
});

describe("capability before writing", () => {
  it("refuses writes up front for a read-only token, with guidance, without calling anyone", async () => {
    const ws = await workspace("read-only");
    await writeTokenJson(ws.tokenFile, {
      access_token: secret("read-only-access"),
      expires_at: new Date(Date.now() + HOUR).toISOString(),
      scope: "Files.Read.All Sites.Read.All User.Read offline_access",
    });
    const before = fake.requests.length;
    const provider = ws.provider();
    expect((await provider.status()).capability).toBe("read-only");
    const err = logs.seen(await thrown(() => assertWriteAllowed(provider)));
    expect((err as AuthError).code).toBe("insufficient-permission");
    expect(err.message).toContain("writes refused before any upload");
    expect(err.message).toContain("graph-mirror login");
    expect(err.message).toContain("Files.ReadWrite.All");
    expect(fake.requests.length).toBe(before);
  });
});

interface WorkerResult {
  ok: boolean;
  digest?: string;
  error?: string;
}

/** Starts `count` refresh workers, waits until all are ready, then says "go" to all at once. */
async function runWorkersTogether(count: number, args: string[]): Promise<WorkerResult[]> {
  const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures");
  const children = Array.from({ length: count }, () =>
    spawn(
      process.execPath,
      ["--import", path.join(fixtures, "tsLoader.mjs"), path.join(fixtures, "refreshWorker.ts"), ...args],
      {
        stdio: ["pipe", "pipe", "pipe"],
      },
    ),
  );
  const outputs = children.map((child) => {
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    const ready = new Promise<void>((resolve, reject) => {
      const check = () => (out.includes("ready\n") ? resolve() : undefined);
      child.stdout.on("data", check);
      child.once("exit", (code) => reject(new Error(`worker exited early (${code}): ${err}`)));
    });
    const done = new Promise<WorkerResult>((resolve, reject) => {
      child.once("exit", () => {
        const line = out.split("\n").find((l) => l.startsWith("{"));
        if (line) resolve(JSON.parse(line) as WorkerResult);
        else reject(new Error(`worker printed no result: ${err}`));
      });
    });
    return { ready, done };
  });
  await Promise.all(outputs.map((o) => o.ready));
  for (const child of children) child.stdin.write("go\n");
  return Promise.all(outputs.map((o) => o.done));
}
