/** known_hosts pinning and the SFTP settings: what is accepted, what is refused, and that no secret is echoed. */
import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseSftpConfig } from "../../../src/config/sftp.js";
import { ConfigError } from "../../../src/core/shared/validationError.js";
import {
  judgeHostKey,
  parseKnownHosts,
  preferredHostKeyAlgorithms,
  sha256Fingerprint,
} from "../../../src/sources/sftp/knownHosts.js";

function blob(type: string, fill: number): Buffer {
  const name = Buffer.from(type);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(name.length);
  return Buffer.concat([length, name, Buffer.from([0, 0, 0, 32]), Buffer.alloc(32, fill)]);
}

const keyA = blob("ssh-ed25519", 1);
const keyB = blob("ssh-ed25519", 2);
const line = (hosts: string, key: Buffer) => `${hosts} ssh-ed25519 ${key.toString("base64")}`;

describe("known_hosts pinning", () => {
  it("accepts the pinned key, refuses a changed one and an unknown host, with the presented fingerprint", () => {
    const entries = parseKnownHosts(`# comment\n${line("files.example.com,10.0.0.9", keyA)}\n`);
    expect(judgeHostKey(entries, "files.example.com", 22, keyA)).toEqual({ kind: "accepted" });
    expect(judgeHostKey(entries, "FILES.example.com", 22, keyA)).toEqual({ kind: "accepted" });
    expect(judgeHostKey(entries, "10.0.0.9", 22, keyB)).toEqual({
      kind: "changed",
      keyType: "ssh-ed25519",
      fingerprint: sha256Fingerprint(keyB),
    });
    expect(judgeHostKey(entries, "files.example.com", 2222, keyA).kind).toBe("unknown-host");
    expect(judgeHostKey(entries, "other.example.com", 22, keyA).kind).toBe("unknown-host");
  });

  it("prints fingerprints as ssh-keygen does (SHA256, base64 without padding)", () => {
    const expected = createHash("sha256").update(keyA).digest("base64").replace(/=+$/, "");
    expect(sha256Fingerprint(keyA)).toBe(`SHA256:${expected}`);
  });

  it("matches [host]:port, hashed names, wildcards and negations; honours @revoked", () => {
    const salt = Buffer.alloc(20, 9);
    const hashed = `|1|${salt.toString("base64")}|${createHmac("sha1", salt).update("[sftp.internal]:2022").digest("base64")}`;
    const entries = parseKnownHosts(
      [
        line("[backup.example.com]:2222", keyA),
        line(hashed, keyA),
        line("*.corp.example.com,!evil.corp.example.com", keyA),
        `@revoked * ssh-ed25519 ${keyB.toString("base64")}`,
      ].join("\\n"), // one-line settings carry \n literally
    );
    expect(judgeHostKey(entries, "backup.example.com", 2222, keyA).kind).toBe("accepted");
    expect(judgeHostKey(entries, "backup.example.com", 22, keyA).kind).toBe("unknown-host");
    expect(judgeHostKey(entries, "sftp.internal", 2022, keyA).kind).toBe("accepted");
    expect(judgeHostKey(entries, "a.corp.example.com", 22, keyA).kind).toBe("accepted");
    expect(judgeHostKey(entries, "evil.corp.example.com", 22, keyA).kind).toBe("unknown-host");
    expect(judgeHostKey(entries, "a.corp.example.com", 22, keyB).kind).toBe("revoked");
  });

  it("offers the pinned key types first (an RSA pin prefers the SHA-2 signatures)", () => {
    const rsa = blob("ssh-rsa", 3);
    const entries = parseKnownHosts(`h ssh-rsa ${rsa.toString("base64")}`);
    expect(preferredHostKeyAlgorithms(entries)).toEqual(["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"]);
  });

  it.each([
    ["a line without a key", "host ssh-ed25519"],
    ["a key whose blob names another type", `host ssh-rsa ${keyA.toString("base64")}`],
    ["certificate authorities (not supported)", `@cert-authority * ssh-ed25519 ${keyA.toString("base64")}`],
    ["garbage base64", "host ssh-ed25519 !!!"],
  ])("refuses %s", (_name, text) => {
    expect(() => parseKnownHosts(text)).toThrow(/line 1 is not a known_hosts entry/);
  });
});

describe("SFTP settings", () => {
  const pem =
    "-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXktdjEAAAAA\\n-----END OPENSSH PRIVATE KEY-----";

  it("defaults: no key, nothing pinned, 4 connections, 30 s idle and timeout", () => {
    expect(parseSftpConfig({})).toEqual({
      knownHosts: [],
      maxConnections: 4,
      idleMs: 30_000,
      timeoutMs: 30_000,
    });
  });

  it("takes the key inline (one-line \\n form included) or from a file", () => {
    const inline = parseSftpConfig({ SFTP_PRIVATE_KEY: pem });
    expect(inline.privateKey).toEqual({ kind: "inline", pem: `${pem.replaceAll("\\n", "\n")}\n` });
    expect(parseSftpConfig({ SFTP_PRIVATE_KEY_FILE: "/keys/id" }).privateKey).toEqual({
      kind: "file",
      path: "/keys/id",
    });
  });

  it("names each bad setting and its rule, never echoing the key", () => {
    const secret = "-----BEGIN NONSENSE-----SECRETMATERIAL";
    let error: unknown;
    try {
      parseSftpConfig({
        SFTP_PRIVATE_KEY: secret,
        SFTP_KNOWN_HOSTS: "not a line",
        SFTP_MAX_CONNECTIONS: "0",
        SFTP_IDLE_SECONDS: "x",
        SFTP_TIMEOUT_SECONDS: "601",
      });
    } catch (err: unknown) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems.map((p) => p.field)).toEqual([
      "SFTP_PRIVATE_KEY",
      "SFTP_KNOWN_HOSTS",
      "SFTP_MAX_CONNECTIONS",
      "SFTP_IDLE_SECONDS",
      "SFTP_TIMEOUT_SECONDS",
    ]);
    expect((error as Error).message).not.toContain("SECRETMATERIAL");
    expect(() => parseSftpConfig({ SFTP_PRIVATE_KEY: pem, SFTP_PRIVATE_KEY_FILE: "/k" })).toThrow(
      /SFTP_PRIVATE_KEY: must not be set together with SFTP_PRIVATE_KEY_FILE/,
    );
  });
});
