/**
 * A remote on rclone's own app (no client_id) whose token has expired: with rclone on PATH (or RCLONE_BINARY),
 * graph-mirror runs `rclone about <remote>:`, rclone refreshes and saves its own config, and the token is read
 * again; without rclone the guidance stays. The stand-in `rclone` is a small script written here: it records how
 * it was called and rewrites the config it was given, as rclone does.
 */
import { randomBytes } from "node:crypto";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenProvider } from "../../../src/auth/index.js";
import { authStatusCommand } from "../../../src/cli/commands/auth.js";
import { parseAuthConfig } from "../../../src/config/auth.js";

const GRAPH = "https://graph.microsoft.com";
let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "gm-rclone-own-app-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function conf(accessToken: string, expiry: Date): string {
  const token = {
    access_token: accessToken,
    token_type: "Bearer",
    refresh_token: "rt-kept-by-rclone",
    expiry: expiry.toISOString(),
  };
  return [
    "[od]",
    "type = onedrive",
    `token = ${JSON.stringify(token)}`,
    "drive_id = b!abc",
    "drive_type = business",
    "",
  ].join("\n");
}

/** A stand-in rclone: `about <remote>: --config <file>` writes a fresh token into <file>, or fails when told to. */
async function fakeRclone(
  dir: string,
  behaviour: "refresh" | "fail",
): Promise<{ calls: () => Promise<string[]> }> {
  await mkdir(dir, { recursive: true });
  const log = path.join(dir, "calls.log");
  const script = `#!${process.execPath}
const fs = require("node:fs");
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify(args) + "\\n");
if (${JSON.stringify(behaviour)} === "fail") {
  process.stderr.write("NOTICE: something\\nFailed to about: couldn't fetch token: invalid_grant\\n");
  process.exit(1);
}
const file = args[args.indexOf("--config") + 1];
const token = { access_token: "refreshed-by-rclone", token_type: "Bearer", refresh_token: "rt-new",
  expiry: new Date(Date.now() + 3600e3).toISOString() };
const text = fs.readFileSync(file, "utf8").replace(/^token = .*$/m, "token = " + JSON.stringify(token));
fs.writeFileSync(file, text);
process.stdout.write("Total: 1 TiB\\n");
`;
  await writeFile(path.join(dir, "rclone"), script);
  await chmod(path.join(dir, "rclone"), 0o755);
  return {
    calls: async () =>
      (await readFile(log, "utf8").catch(() => ""))
        .split("\n")
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as string[]).join(" ")),
  };
}

async function workspace(name: string) {
  const dir = await mkdtemp(path.join(root, `${name}-`));
  const rcloneFile = path.join(dir, "rclone.conf");
  const expired = `expired-${randomBytes(6).toString("hex")}`;
  await writeFile(rcloneFile, conf(expired, new Date(Date.now() - 3600e3)));
  const env = (extra: Record<string, string>) => ({
    AUTH_MODE: "delegated",
    TOKEN_FILE: path.join(dir, "no-token.json"),
    RCLONE_CONFIG: rcloneFile,
    ...extra,
  });
  const provider = (extra: Record<string, string>) =>
    createTokenProvider(parseAuthConfig(env(extra), { exists: () => false }), { graphRoot: GRAPH });
  return { dir, rcloneFile, env, provider };
}

function capture() {
  let text = "";
  return { write: (chunk: string) => (text += chunk), text: () => text };
}

describe("rclone's own app (no client_id) with an expired token", () => {
  it("runs `rclone about od:` from PATH, reads the token rclone saved, and auth status says so", async () => {
    const ws = await workspace("on-path");
    const bin = path.join(ws.dir, "bin");
    const rclone = await fakeRclone(bin, "refresh");
    const provider = ws.provider({ PATH: `${path.join(ws.dir, "empty")}${path.delimiter}${bin}` });
    expect(await provider.getToken()).toBe("refreshed-by-rclone");
    expect(await rclone.calls()).toEqual([`about od: --config ${ws.rcloneFile}`]);
    // The token is used until it expires: rclone is not run again for every request.
    expect(await provider.getToken()).toBe("refreshed-by-rclone");
    expect(await rclone.calls()).toHaveLength(1);

    // `auth status` in a new process: the saved token is valid now, so expire it again to see the status say so.
    await writeFile(ws.rcloneFile, conf("expired-again", new Date(Date.now() - 60e3)));
    const out = capture();
    const code = await authStatusCommand({}, { env: ws.env({ PATH: bin }), stdout: out, stderr: capture() });
    expect(code).toBe(0);
    expect(out.text()).toMatch(
      /rclone refreshed it \(ran `.*rclone about od:`, which saved rclone's own config\)/,
    );
    expect(out.text()).toContain(`rclone remote "od" (${ws.rcloneFile})`);
  });

  it("uses RCLONE_BINARY when set, even when rclone is not on PATH", async () => {
    const ws = await workspace("binary");
    const rclone = await fakeRclone(path.join(ws.dir, "tools"), "refresh");
    const provider = ws.provider({ PATH: "", RCLONE_BINARY: path.join(ws.dir, "tools", "rclone") });
    expect(await provider.getToken()).toBe("refreshed-by-rclone");
    expect(await rclone.calls()).toHaveLength(1);
  });

  it("without rclone keeps the guidance, says rclone was not found, and leaves rclone.conf untouched", async () => {
    const ws = await workspace("no-rclone");
    const before = await readFile(ws.rcloneFile);
    const provider = ws.provider({ PATH: path.join(ws.dir, "empty") });
    await expect(provider.getToken()).rejects.toThrow(
      /only rclone can refresh: run `rclone about od:`.*rclone was not found on PATH and RCLONE_BINARY is not set/s,
    );
    expect((await readFile(ws.rcloneFile)).equals(before)).toBe(true);

    const err = capture();
    await expect(
      authStatusCommand(
        {},
        { env: ws.env({ PATH: path.join(ws.dir, "empty") }), stdout: capture(), stderr: err },
      ),
    ).rejects.toThrow(/rclone was not found on PATH/);
  });

  it("reports rclone's own error when rclone cannot refresh either", async () => {
    const ws = await workspace("rclone-fails");
    const bin = path.join(ws.dir, "bin");
    await fakeRclone(bin, "fail");
    await expect(ws.provider({ PATH: bin }).getToken()).rejects.toThrow(
      /`rclone about od:` failed: Failed to about: couldn't fetch token: invalid_grant/,
    );
  });
});
